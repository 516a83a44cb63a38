-- The strategy's name and dates (kpi_catalogue.yaml: strategy).
SELECT name, adopted_on, ends_on, strftime(ends_on, '%Y-%m') AS end_period, monitored_by FROM ref_strategy
