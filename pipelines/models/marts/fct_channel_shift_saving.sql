-- What the change of channel mix saved, by month, service and channel.
--
-- Method. For each service, the baseline mix is the share of its contacts in
-- each channel over the baseline period (int_saving_baseline: the first full
-- financial year). For each month:
--   contacts_at_baseline_mix = the service's contacts that month x the
--                              channel's baseline share for the service
--   cost_at_baseline_mix     = contacts_at_baseline_mix x the month's unit cost
--   cost_at_actual_mix       = the channel's actual contacts x the same unit cost
--   saving                   = cost_at_baseline_mix - cost_at_actual_mix
-- Both costs use the month's own unit costs (ledger cost / contacts of the
-- channel, the same for every service), so the saving isolates the change of
-- mix: it is neither a change in volume nor in unit costs. Summed over
-- channels it is the service's saving; over services, a directorate's and the
-- council's (the rows add up). A positive saving means the month cost less than
-- it would have at the baseline mix. A service with no contacts in the baseline
-- period keeps its actual mix (no saving claimed). Months where a channel in
-- either mix has no unit cost (the ledger has not caught up) have
-- costs_complete = false and empty costs, so a sum never hides a gap.
WITH by_service_channel AS (
    SELECT month, service, channel, sum(contacts) AS contacts
    FROM int_contacts_monthly GROUP BY ALL
),
baseline AS (SELECT * FROM int_saving_baseline),
baseline_mix AS (
    SELECT s.service, s.channel,
           sum(s.contacts) / sum(sum(s.contacts)) OVER (PARTITION BY s.service) AS baseline_share
    FROM by_service_channel s JOIN baseline b ON s.month BETWEEN b.start_month AND b.end_month
    GROUP BY s.service, s.channel
),
service_month AS (
    SELECT month, service, sum(contacts) AS service_contacts,
           service IN (SELECT service FROM baseline_mix) AS has_baseline
    FROM by_service_channel GROUP BY month, service
),
grid AS (
    SELECT m.month, m.service, m.service_contacts, m.has_baseline, ch.channel, ch.channel_class, ch.is_digital,
           coalesce(a.contacts, 0) AS contacts,
           CASE WHEN m.has_baseline THEN m.service_contacts * coalesce(bm.baseline_share, 0)
                ELSE coalesce(a.contacts, 0) END AS contacts_at_baseline_mix,
           coalesce(bm.baseline_share, 0) AS baseline_share,
           u.unit_cost_gbp
    FROM service_month m
    CROSS JOIN ref_channels ch
    LEFT JOIN by_service_channel a ON a.month = m.month AND a.service = m.service AND a.channel = ch.channel
    LEFT JOIN baseline_mix bm ON bm.service = m.service AND bm.channel = ch.channel
    LEFT JOIN int_channel_unit_costs u ON u.month = m.month AND u.channel = ch.channel
),
complete AS (
    -- a month's costs are complete when every channel used in either mix has a unit cost
    SELECT month, bool_and(unit_cost_gbp IS NOT NULL OR (contacts = 0 AND contacts_at_baseline_mix = 0))
               AND (SELECT count(*) FROM baseline) > 0 AS costs_complete
    FROM grid GROUP BY month
)
SELECT
    strftime(g.month, '%Y-%m') AS period, p.financial_year, g.service, s.directorate,
    g.channel, g.channel_class, g.is_digital,
    g.contacts::DOUBLE AS contacts,
    g.contacts_at_baseline_mix::DOUBLE AS contacts_at_baseline_mix,
    g.baseline_share,
    g.unit_cost_gbp,
    c.costs_complete,
    CASE WHEN c.costs_complete THEN coalesce(g.contacts * g.unit_cost_gbp, 0) END AS cost_at_actual_mix_gbp,
    CASE WHEN c.costs_complete THEN coalesce(g.contacts_at_baseline_mix * g.unit_cost_gbp, 0) END
        AS cost_at_baseline_mix_gbp,
    CASE WHEN c.costs_complete
         THEN coalesce(g.contacts_at_baseline_mix * g.unit_cost_gbp, 0) - coalesce(g.contacts * g.unit_cost_gbp, 0)
    END AS saving_gbp,
    (SELECT label FROM baseline) AS baseline_label,
    (SELECT strftime(start_month, '%Y-%m') FROM baseline) AS baseline_from,
    (SELECT strftime(end_month, '%Y-%m') FROM baseline) AS baseline_to
FROM grid g
JOIN complete c USING (month)
JOIN int_periods p ON p.month_start = g.month
LEFT JOIN ref_services s ON s.service_code = g.service
WHERE (SELECT count(*) FROM baseline) > 0
ORDER BY period, g.service, g.channel
