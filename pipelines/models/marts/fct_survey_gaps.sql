-- Every survey figure by respondent group against all respondents of the
-- same period (int_group_gaps): value with its unweighted and effective
-- base and 95% interval, the gap, its interval, the p-value and the words a
-- page shows ("significantly above", "significantly below", "no significant
-- difference"), and whether the gap is better or worse for the KPI's polarity.
-- Periods: each wave; the monthly post-contact survey also pooled by
-- financial year (period_type 'financial_year', e.g. '2024/25').
SELECT g.measure_id AS kpi_id, g.* EXCLUDE (measure_id), k.name AS kpi_name, k.polarity,
    CASE WHEN g.significant AND (g.gap > 0) = (k.polarity = 'higher') THEN 'better'
         WHEN g.significant THEN 'worse' END AS better_or_worse
FROM int_group_gaps g
JOIN ref_kpis k ON k.kpi_id = g.measure_id
ORDER BY kpi_id, g.period_type, g.period_month, g.breakdown
