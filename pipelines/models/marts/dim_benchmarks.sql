-- External benchmarks (data/reference/benchmarks.csv), each with its source,
-- date, how comparable it is and whether the figure is verified, and the
-- KPI (and breakdown) it is shown beside. Ombudsman figures for the council
-- itself are here too (subject 'Tower Hamlets (this council)').
SELECT benchmark_id, measure, benchmark_name, subject, value, unit, period, published, source,
       NULLIF(applies_to_kpi_id, '') AS applies_to_kpi_id,
       coalesce(applies_to_breakdown, '') AS applies_to_breakdown,
       comparability, status,
       status = 'to be confirmed' AS to_be_confirmed
FROM ref_benchmarks
ORDER BY applies_to_kpi_id, benchmark_id
