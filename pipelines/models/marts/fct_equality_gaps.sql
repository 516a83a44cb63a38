-- The equality view (Equality Impact Assessment): for satisfaction, ease of
-- access and digital take-up (data/reference/equality_measures.csv), each
-- group by age band, disability, ethnicity and gender against the borough
-- figure, with bases, 95% intervals, the gap and its interval, and the words
-- and symbol a page shows. A group significantly below the borough figure is
-- flagged (all three measures are higher-is-better). Suppressed groups say
-- "fewer than 10" (primary) or that they are hidden to protect a smaller
-- group (secondary), never 0.
SELECT
    m.measure, g.measure_id, g.source, m.what_it_counts, m.sort_order,
    g.period_type, g.period, g.period_month,
    g.breakdown, g.breakdown_dimension AS dimension, d.label AS dimension_label, g.breakdown_value AS group_name,
    g.suppressed, g.suppression,
    g.base_n, g.base_n_eff, g.value, g.ci_low, g.ci_high,
    g.all_value AS borough_value, g.all_base_n AS borough_base_n,
    g.gap, g.gap_ci_low, g.gap_ci_high, g.p_value, g.significant,
    coalesce(g.significant AND g.gap < 0, FALSE) AS significantly_below,
    CASE WHEN g.suppression = 'primary' THEN 'fewer than 10'
         WHEN g.suppressed THEN 'not shown (protects a smaller group)'
         WHEN g.significant AND g.gap < 0 THEN '▼ significantly below the borough'
         WHEN g.significant AND g.gap > 0 THEN '▲ significantly above the borough'
         WHEN g.p_value IS NULL THEN 'not tested'
         ELSE '● no significant difference' END AS status_text
FROM int_group_gaps g
JOIN ref_equality_measures m ON m.measure_id = g.measure_id AND m.period_type = g.period_type
JOIN ref_disclosure_dimensions d ON d.dimension = g.breakdown_dimension AND d.protected_characteristic
ORDER BY m.sort_order, g.period_month, d.dimension, g.breakdown
