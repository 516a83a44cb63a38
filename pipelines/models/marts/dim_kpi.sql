-- The KPI catalogue (data/reference/kpi_catalogue.yaml) as the dashboard reads it.
SELECT * FROM ref_kpis ORDER BY sort_order
