-- Cost of each channel by month against its contacts and 2017/18 baseline unit cost.
WITH costs AS (
    SELECT month, channel, sum(cost_gbp)::DOUBLE AS cost_gbp FROM stg_channel_costs GROUP BY ALL
),
volumes AS (
    SELECT month, channel, sum(contacts) AS contacts FROM int_contacts_monthly GROUP BY ALL
)
SELECT
    strftime(c.month, '%Y-%m') AS period, c.channel, ch.channel_class, ch.is_digital,
    c.cost_gbp, v.contacts,
    c.cost_gbp / NULLIF(v.contacts, 0) AS unit_cost_gbp,
    ch.baseline_unit_cost_gbp
FROM costs c
LEFT JOIN volumes v USING (month, channel)
JOIN ref_channels ch ON ch.channel = c.channel
ORDER BY period, c.channel
