-- kpi_values with what the dashboard needs to place each row in time: the
-- month the period starts, whether a monthly period is complete, and the
-- KPI's outcome and unit (so pages never recompute what the pipeline knows).
-- Survey rows also carry the effective base (Kish) and the design effect of
-- the weights; suppressed rows say why: 'primary' (a base under 10) or
-- 'secondary' (hidden so a smaller group cannot be worked out). `out_of_range`:
-- the value lies outside the KPI's valid range, a data-quality failure shown
-- as "data problem", never as a result (it has no RAG).
SELECT
    a.kpi_id, k.outcome, k.unit, k.polarity,
    a.period, a.period_month, a.breakdown,
    split_part(a.breakdown, '=', 1) AS breakdown_dimension,
    CASE WHEN a.breakdown = '' THEN NULL ELSE substr(a.breakdown, strpos(a.breakdown, '=') + 1) END AS breakdown_value,
    CASE WHEN k.kind = 'survey' THEN 'wave' ELSE 'month' END AS period_type,
    coalesce(p.is_complete, TRUE) AS is_complete,
    a.value, a.numerator, a.denominator, a.base_n, a.base_n_eff,
    a.base_n / NULLIF(a.base_n_eff, 0) AS design_effect,
    a.ci_low, a.ci_high, a.suppressed,
    a.suppression, a.out_of_range, a.target, a.rag
FROM int_kpi_all a
JOIN ref_kpis k ON k.kpi_id = a.kpi_id
LEFT JOIN int_periods p ON p.period = a.period AND k.kind <> 'survey'
ORDER BY a.kpi_id, a.breakdown, a.period_month, a.period
