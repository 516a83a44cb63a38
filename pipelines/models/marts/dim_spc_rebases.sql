-- Where each KPI series' SPC limits were recalculated: the event (events.csv,
-- rebase_kpis), the month the new limits start (the first of 7 in a row on one
-- side of the mean of the months before the event, within its first three
-- months), that mean, and the month the shift was confirmed (the run's 7th).
SELECT kpi_id, breakdown, strftime(event_month, '%Y-%m') AS event_period, strftime(rebase_month, '%Y-%m') AS rebase_period, event_label, mean_before,
       months_before, strftime(confirmed_month, '%Y-%m') AS confirmed_period
FROM int_kpi_spc_rebases
ORDER BY kpi_id, breakdown, rebase_month
