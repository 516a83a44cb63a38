-- KPI figures outside their KPI's valid range (catalogue valid_range, e.g. a
-- rate above 100% or a negative count): data-quality failures, never results
-- (data contract s7). kpi_values keeps the value so it can be traced but
-- publishes no RAG for it; the dashboard shows "data problem" in its place and
-- lists these rows on the Data quality page. Usually a sign that an extract is
-- incomplete or inconsistent (e.g. a directorate missing from a headcount).
SELECT
    a.kpi_id, k.name, k.unit, a.period, a.breakdown, a.value, a.numerator, a.denominator, a.base_n,
    a.suppressed, k.valid_min, k.valid_max,
    CASE WHEN round(a.value, 9) > k.valid_max THEN 'above the valid range' ELSE 'below the valid range' END
        AS problem
FROM int_kpi_all a
JOIN ref_kpis k USING (kpi_id)
WHERE a.out_of_range
ORDER BY a.kpi_id, a.period, a.breakdown
