-- Frame `cost_coverage`: one row per month and channel with contacts, whether
-- the finance ledger has a cost for it. Months after the ledger's latest month
-- are not judged (finance delivers after the month closes).
WITH volumes AS (
    SELECT date_trunc('month', offered_at)::DATE AS month, 'phone' AS channel, count(*) AS contacts
    FROM land_calls GROUP BY ALL
    UNION ALL
    SELECT date_trunc('month', started_at)::DATE, channel, count(*) FROM land_contacts GROUP BY ALL
),
costs AS (
    SELECT month, channel, sum(cost_gbp) AS cost_gbp FROM land_channel_costs GROUP BY ALL
)
SELECT strftime(v.month, '%Y-%m') AS month, v.channel, v.contacts, c.cost_gbp,
       v.month <= (SELECT max(month) FROM costs) AS ledger_covers_month
FROM volumes v LEFT JOIN costs c USING (month, channel)
ORDER BY 1, 2
