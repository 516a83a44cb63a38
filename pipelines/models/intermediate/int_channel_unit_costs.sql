-- Each channel's cost per contact by month: the finance ledger's cost over the
-- channel's contacts (online: completed transactions; data contract s4).
-- Null where the ledger has no cost for the channel that month or the channel
-- had no contacts: the saving below then says the month's costs are incomplete.
WITH costs AS (
    SELECT month, channel, sum(cost_gbp)::DOUBLE AS cost_gbp FROM stg_channel_costs GROUP BY ALL
),
volumes AS (
    SELECT month, channel, sum(contacts) AS contacts FROM int_contacts_monthly GROUP BY ALL
)
SELECT coalesce(c.month, v.month) AS month, coalesce(c.channel, v.channel) AS channel,
       c.cost_gbp, coalesce(v.contacts, 0) AS contacts,
       c.cost_gbp / NULLIF(v.contacts, 0) AS unit_cost_gbp
FROM costs c FULL OUTER JOIN volumes v ON v.month = c.month AND v.channel = c.channel
