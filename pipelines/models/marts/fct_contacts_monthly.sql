-- Contacts by month, channel, service, age band and site (channel shift).
SELECT strftime(month, '%Y-%m') AS period, * EXCLUDE (month)
FROM int_contacts_monthly
ORDER BY period, channel, service, age_band, site
