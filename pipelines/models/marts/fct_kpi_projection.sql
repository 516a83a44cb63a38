-- Monthly KPIs with a target: the fitted straight-line trend over the last 24
-- complete months and its projection 12 months ahead with a 95% prediction
-- interval (method in intermediate/int_kpi_projection.sql), with the target in
-- force each month. `actual` is the published value of a fitted month.
SELECT kpi_id, period, month, months_ahead, is_projection, actual, trend, trend_low, trend_high, target,
       polarity, unit, months_fitted, strftime(fit_from, '%Y-%m') AS fit_from, strftime(fit_to, '%Y-%m') AS fit_to,
       slope_per_month, change_per_year, r2
FROM int_kpi_projection
ORDER BY kpi_id, month
