-- Every KPI row from the int_kpi_* models, with the month its period starts
-- (a survey wave's fieldwork month) and the target in force for that month.
-- RAG: green on the right side of the target; amber within the KPI's
-- amber_band on the wrong side; red beyond. No target or no value: no RAG.
WITH k AS (
    SELECT * FROM int_kpi_calls
    UNION ALL BY NAME SELECT * FROM int_kpi_contacts
    UNION ALL BY NAME SELECT * FROM int_kpi_costs
    UNION ALL BY NAME SELECT * FROM int_kpi_complaints
    UNION ALL BY NAME SELECT * FROM int_kpi_training
    UNION ALL BY NAME SELECT * FROM int_kpi_surveys
)
SELECT
    k.kpi_id,
    k.period,
    k.period_month,
    k.breakdown,
    k.value::DOUBLE AS value,
    k.numerator::DOUBLE AS numerator,
    k.denominator::DOUBLE AS denominator,
    k.base_n::INTEGER AS base_n,
    k.ci_low::DOUBLE AS ci_low,
    k.ci_high::DOUBLE AS ci_high,
    coalesce(k.suppressed, FALSE) AS suppressed,
    t.target,
    CASE
        WHEN t.target IS NULL OR k.value IS NULL THEN NULL
        -- rounded so that 0.9 computed as 0.8999999999 still meets a 0.9 target
        WHEN t.polarity = 'higher' THEN CASE
            WHEN round(k.value, 9) >= t.target THEN 'green'
            WHEN round(k.value, 9) >= t.target - t.amber_band THEN 'amber'
            ELSE 'red' END
        WHEN t.polarity = 'lower' THEN CASE
            WHEN round(k.value, 9) <= t.target THEN 'green'
            WHEN round(k.value, 9) <= t.target + t.amber_band THEN 'amber'
            ELSE 'red' END
    END AS rag
FROM k
LEFT JOIN ref_kpi_targets t
    ON t.kpi_id = k.kpi_id
   AND k.period_month >= t.valid_from
   AND (t.valid_to IS NULL OR k.period_month < t.valid_to)
   AND (k.breakdown = '' OR t.applies_to_breakdowns)
