-- The catalogue's rule for printing a figure beside its status (kpi_catalogue.yaml,
-- status_rule), one row: the statement every page and the board pack show. Each
-- KPI's places are in dim_kpi (display_decimals, display_max_decimals).
SELECT statement, most_extra_decimals FROM ref_status_rule
