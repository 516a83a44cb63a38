-- Target trajectories: the target in force from each month (kpi_catalogue.yaml).
SELECT kpi_id, strftime(valid_from, '%Y-%m') AS valid_from, strftime(valid_to, '%Y-%m') AS valid_to,
       target, amber_band, polarity, applies_to_breakdowns
FROM ref_kpi_targets ORDER BY kpi_id, valid_from
