-- Cost of contact (data contract s4), for months the finance ledger covers.
-- Unit cost = a channel's cost / that channel's contacts (online: completed).
WITH costs AS (
    SELECT month, channel, sum(cost_gbp)::DOUBLE AS cost_gbp FROM stg_channel_costs GROUP BY ALL
),
volumes AS (
    SELECT month, channel, sum(contacts) AS contacts FROM int_contacts_monthly GROUP BY ALL
),
by_channel AS (
    SELECT c.month, c.channel, c.cost_gbp, v.contacts
    FROM costs c LEFT JOIN volumes v USING (month, channel)
),
by_month AS (
    SELECT c.month, sum(c.cost_gbp) AS cost_gbp, (SELECT sum(contacts) FROM volumes v WHERE v.month = c.month) AS contacts
    FROM costs c GROUP BY c.month
),
k AS (
    SELECT 'cost_of_contact_gbp' AS kpi_id, month, '' AS breakdown, cost_gbp AS numerator, NULL::DOUBLE AS denominator,
           cost_gbp AS value FROM by_month
    UNION ALL SELECT 'cost_of_contact_gbp', month, 'channel=' || channel, cost_gbp, NULL, cost_gbp FROM by_channel
    UNION ALL SELECT 'cost_per_contact_gbp', month, '', cost_gbp, contacts, cost_gbp / NULLIF(contacts, 0) FROM by_month
    UNION ALL SELECT 'unit_cost_gbp', month, 'channel=' || channel, cost_gbp, contacts, cost_gbp / NULLIF(contacts, 0)
    FROM by_channel
)
SELECT kpi_id, strftime(month, '%Y-%m') AS period, month AS period_month, breakdown,
       value, numerator, denominator
FROM k
WHERE value IS NOT NULL
