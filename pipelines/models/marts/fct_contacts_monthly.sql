-- Contacts by month, channel, service and site (channel shift).
-- Age band is aggregated away here: at this grain most age cells would hold
-- a handful of contacts. Contacts by age band are published with disclosure
-- control in kpi_values (breakdown age_band=...) and fct_equality_channel_access.
SELECT strftime(month, '%Y-%m') AS period, channel, channel_class, is_digital, service, directorate, site,
       sum(contacts) AS contacts, sum(rows_started) AS rows_started, sum(rows_completed) AS rows_completed,
       sum(rows_assisted) AS rows_assisted
FROM int_contacts_monthly
GROUP BY ALL
ORDER BY period, channel, service, site
