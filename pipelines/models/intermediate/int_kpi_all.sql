-- Every KPI row with disclosure control applied (int_kpi_disclosure: value,
-- numerator, denominator, bases and interval empty when suppressed), the month
-- its period starts (a survey wave's fieldwork month) and the target in force
-- for that month.
-- RAG: green on the right side of the target; amber within the KPI's
-- amber_band on the wrong side; red beyond. No target or no value: no RAG.
-- A value outside the KPI's valid range (catalogue valid_range, e.g. a rate
-- above 100%) is a data-quality failure, never a result (data contract s7):
-- `out_of_range` is true and it gets no RAG. The value itself stays, so the
-- figure can be traced (dq_kpi_out_of_range lists every such row), but no page
-- shows it as a result.
WITH k AS (
    SELECT r.*, coalesce(d.suppressed, FALSE) AS is_suppressed, d.suppression
    FROM int_kpi_rows r
    LEFT JOIN int_kpi_disclosure d USING (kpi_id, period, breakdown)
),
v AS (
    SELECT
        kpi_id, period, period_month, breakdown, is_suppressed AS suppressed, suppression,
        CASE WHEN NOT is_suppressed THEN value END::DOUBLE AS value,
        CASE WHEN NOT is_suppressed THEN numerator END::DOUBLE AS numerator,
        CASE WHEN NOT is_suppressed THEN denominator END::DOUBLE AS denominator,
        CASE WHEN NOT is_suppressed THEN base_n END::INTEGER AS base_n,
        CASE WHEN NOT is_suppressed THEN base_n_eff END::DOUBLE AS base_n_eff,
        CASE WHEN NOT is_suppressed THEN ci_low END::DOUBLE AS ci_low,
        CASE WHEN NOT is_suppressed THEN ci_high END::DOUBLE AS ci_high
    FROM k
),
checked AS (
    -- rounded like RAG, so 1.0 computed as 1.0000000001 is not a data problem
    SELECT v.*, coalesce(round(v.value, 9) < r.valid_min OR round(v.value, 9) > r.valid_max, FALSE) AS out_of_range
    FROM v LEFT JOIN ref_kpis r USING (kpi_id)
)
SELECT
    v.kpi_id,
    v.period,
    v.period_month,
    v.breakdown,
    v.value,
    v.numerator,
    v.denominator,
    v.base_n,
    v.base_n_eff,
    v.ci_low,
    v.ci_high,
    v.suppressed,
    v.suppression,
    v.out_of_range,
    t.target,
    CASE
        WHEN t.target IS NULL OR v.value IS NULL OR v.out_of_range THEN NULL
        -- rounded so that 0.9 computed as 0.8999999999 still meets a 0.9 target
        WHEN t.polarity = 'higher' THEN CASE
            WHEN round(v.value, 9) >= t.target THEN 'green'
            WHEN round(v.value, 9) >= t.target - t.amber_band THEN 'amber'
            ELSE 'red' END
        WHEN t.polarity = 'lower' THEN CASE
            WHEN round(v.value, 9) <= t.target THEN 'green'
            WHEN round(v.value, 9) <= t.target + t.amber_band THEN 'amber'
            ELSE 'red' END
    END AS rag
FROM checked v
LEFT JOIN ref_kpi_targets t
    ON t.kpi_id = v.kpi_id
   AND v.period_month >= t.valid_from
   AND (t.valid_to IS NULL OR v.period_month < t.valid_to)
   AND (v.breakdown = '' OR t.applies_to_breakdowns)
