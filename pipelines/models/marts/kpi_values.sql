-- The published KPI table, exactly as the data contract (s5) fixes it: one
-- row per KPI, period and breakdown, with the target in force and RAG.
SELECT kpi_id, period, breakdown, value, numerator, denominator, base_n, ci_low, ci_high, suppressed, target, rag
FROM int_kpi_all
ORDER BY kpi_id, period, breakdown
