-- Were the strategy's end targets met? For every KPI with a target in force
-- in the strategy's last month (ref_strategy.ends_on: March 2026), the value
-- for that month (a survey: its latest wave whose fieldwork started by then)
-- against that target, by the same rule as RAG green. When the month is not
-- in the data yet (or not complete), `status` is 'not yet known' and the
-- projection on current trend (int_kpi_projection) says what is likely. A
-- value outside the KPI's valid range is 'data problem', never met or not met.
WITH s AS (SELECT date_trunc('month', ends_on)::DATE AS end_month FROM ref_strategy),
t AS (
    SELECT k.kpi_id, k.name, k.outcome, k.sort_order, k.unit, tg.target, tg.polarity, s.end_month
    FROM ref_kpis k CROSS JOIN s
    JOIN ref_kpi_targets tg ON tg.kpi_id = k.kpi_id AND s.end_month >= tg.valid_from
                           AND (tg.valid_to IS NULL OR s.end_month < tg.valid_to)
),
actual AS (
    SELECT a.kpi_id, arg_max(a.period, a.period_month) AS actual_period, arg_max(a.value, a.period_month) AS actual_value,
           arg_max(a.out_of_range, a.period_month) AS out_of_range
    FROM int_kpi_all a
    JOIN t ON t.kpi_id = a.kpi_id
    LEFT JOIN int_periods p ON p.period = a.period AND a.kpi_id NOT LIKE 'survey.%'
    WHERE a.breakdown = '' AND a.value IS NOT NULL
      AND CASE WHEN a.kpi_id LIKE 'survey.%' THEN a.period_month <= t.end_month
               ELSE a.period_month = t.end_month AND p.is_complete END
    GROUP BY a.kpi_id
),
projected AS (
    SELECT p.kpi_id, p.trend, p.trend_low, p.trend_high
    FROM int_kpi_projection p JOIN t ON t.kpi_id = p.kpi_id AND p.month = t.end_month AND p.is_projection
)
SELECT
    t.kpi_id, t.name, t.outcome, t.unit, t.polarity, strftime(t.end_month, '%Y-%m') AS target_period, t.target,
    a.actual_period, a.actual_value,
    CASE WHEN a.actual_value IS NULL THEN 'not yet known'
         -- outside the KPI's valid range: a data-quality failure, not a result (contract s7)
         WHEN a.out_of_range THEN 'data problem'
         WHEN (t.polarity = 'higher' AND round(a.actual_value, 9) >= t.target)
           OR (t.polarity = 'lower' AND round(a.actual_value, 9) <= t.target) THEN 'met'
         ELSE 'not met' END AS status,
    p.trend AS projected_value, p.trend_low AS projected_low, p.trend_high AS projected_high,
    CASE WHEN p.trend IS NULL THEN NULL
         WHEN t.polarity = 'higher' THEN round(p.trend, 9) >= t.target
         ELSE round(p.trend, 9) <= t.target END AS projected_met
FROM t
LEFT JOIN actual a USING (kpi_id)
LEFT JOIN projected p USING (kpi_id)
ORDER BY t.outcome, t.sort_order
