-- Will the next target be met on the current trend? For each monthly KPI
-- with a target trajectory (overall figure): a straight line fitted by least
-- squares to the last 24 complete months (at least 12), projected to the end
-- of the next target period (the next step of the trajectory, a financial
-- year; when the trajectory has no later step, the end of the current
-- financial year against the target in force), with a 95% prediction
-- interval: yhat +/- t(0.975, n-2) * s * sqrt(1 + 1/n + (x0 - mean x)^2 / Sxx),
-- the same formula as pipelines.statistics.linear_projection.
--   on course   the projected value meets the target
--   at risk     it misses, but the interval still reaches the target
--   off course  the whole interval misses the target
-- A straight line ignores seasons (e.g. the council-tax peak in March and
-- April) and assumes nothing changes: it says where the trend points, not
-- what will happen. This is the project's one projection mart (pages that
-- project a KPI, such as channel shift, read it rather than fit their own).
WITH monthly AS (
    SELECT a.kpi_id, a.period_month, a.value, year(a.period_month) * 12 + month(a.period_month) AS x
    FROM int_kpi_all a
    JOIN int_periods p ON p.period = a.period
    WHERE a.breakdown = '' AND p.is_complete AND a.value IS NOT NULL AND a.kpi_id NOT LIKE 'survey.%'
      AND a.kpi_id IN (SELECT kpi_id FROM ref_kpi_targets)
),
latest AS (SELECT kpi_id, max(period_month) AS last_month FROM monthly GROUP BY kpi_id),
win AS (
    SELECT m.* FROM monthly m JOIN latest l USING (kpi_id)
    WHERE m.period_month > l.last_month - INTERVAL 24 MONTH
),
fit AS (
    SELECT kpi_id, count(*) AS n, regr_slope(value, x) AS slope, regr_intercept(value, x) AS intercept,
           avg(x) AS xbar, regr_sxx(value, x) AS sxx, min(period_month) AS first_month,
           max(period_month) AS last_month, arg_max(value, period_month) AS last_value
    FROM win GROUP BY kpi_id HAVING count(*) >= 12
),
resid AS (
    SELECT f.kpi_id, sqrt(sum((w.value - (f.intercept + f.slope * w.x)) ^ 2) / (f.n - 2)) AS s
    FROM win w JOIN fit f USING (kpi_id) GROUP BY f.kpi_id, f.n
),
next_step AS (
    SELECT t.kpi_id, t.valid_from, t.valid_to, t.target
    FROM ref_kpi_targets t JOIN fit f USING (kpi_id)
    WHERE t.valid_from > f.last_month
    QUALIFY row_number() OVER (PARTITION BY t.kpi_id ORDER BY t.valid_from) = 1
),
in_force AS (
    SELECT t.kpi_id, t.target
    FROM ref_kpi_targets t JOIN fit f USING (kpi_id)
    WHERE t.valid_from <= f.last_month AND (t.valid_to IS NULL OR f.last_month < t.valid_to)
),
fy_end AS (  -- the March ending the financial year of the last month, or the next one if that is it
    SELECT kpi_id,
        CASE WHEN month(last_month) = 3 THEN make_date(year(last_month) + 1, 3, 1)
             WHEN month(last_month) >= 4 THEN make_date(year(last_month) + 1, 3, 1)
             ELSE make_date(year(last_month), 3, 1) END AS march
    FROM fit
),
h AS (
    SELECT f.*, r.s, k.name, k.unit, k.polarity,
        CASE WHEN n.kpi_id IS NOT NULL THEN 'next target'
             ELSE 'target in force (no later step in the trajectory)' END AS target_basis,
        coalesce(n.target, i.target) AS target,
        CASE WHEN n.kpi_id IS NOT NULL
             THEN coalesce(n.valid_to - INTERVAL 1 MONTH, n.valid_from + INTERVAL 11 MONTH)
             ELSE e.march END::DATE AS horizon_month
    FROM fit f
    JOIN resid r USING (kpi_id)
    JOIN ref_kpis k USING (kpi_id)
    JOIN fy_end e USING (kpi_id)
    LEFT JOIN next_step n USING (kpi_id)
    LEFT JOIN in_force i USING (kpi_id)
),
p AS (
    SELECT *,
        year(horizon_month) * 12 + month(horizon_month) AS x0,
        intercept + slope * (year(horizon_month) * 12 + month(horizon_month)) AS yhat,
        stat_t_quantile(0.975, n - 2) * s
            * sqrt(1 + 1 / n + ((year(horizon_month) * 12 + month(horizon_month)) - xbar) ^ 2 / sxx) AS half
    FROM h
),
b AS (  -- a rate cannot leave [0, 1] nor a count or cost go below 0
    SELECT *,
        CASE WHEN unit = 'rate' THEN least(1.0, greatest(0.0, yhat)) ELSE greatest(0.0, yhat) END AS value,
        CASE WHEN unit = 'rate' THEN least(1.0, greatest(0.0, yhat - half)) ELSE greatest(0.0, yhat - half) END AS low,
        CASE WHEN unit = 'rate' THEN least(1.0, greatest(0.0, yhat + half)) ELSE greatest(0.0, yhat + half) END AS high
    FROM p
)
SELECT
    kpi_id, name, unit, polarity,
    strftime(first_month, '%Y-%m') AS first_period, strftime(last_month, '%Y-%m') AS last_period,
    n AS months_used, last_value, slope AS slope_per_month, slope * 12 AS slope_per_year,
    strftime(horizon_month, '%Y-%m') AS horizon_period, target_basis, target,
    value AS projected_value, low AS projected_low, high AS projected_high,
    CASE WHEN target IS NULL OR polarity NOT IN ('higher', 'lower') THEN 'no projection'
         WHEN (polarity = 'higher' AND value >= target) OR (polarity = 'lower' AND value <= target) THEN 'on course'
         WHEN (polarity = 'higher' AND high >= target) OR (polarity = 'lower' AND low <= target) THEN 'at risk'
         ELSE 'off course' END AS projection_status,
    'Straight-line trend over the last ' || n || ' complete months (least squares), projected to '
        || strftime(horizon_month, '%B %Y') || ' with a 95% prediction interval' AS method
FROM b
ORDER BY kpi_id
