-- A simple, explainable projection for every monthly KPI with a target: a
-- straight line fitted by least squares to the KPI's last 24 complete months
-- (at least 12), extended 12 months ahead, with a 95% prediction interval.
--
--   value(t) = intercept + slope x t     t = months after the KPI's latest month
--   interval = projected +/- t_q x s x sqrt(1 + 1/n + (t - mean t)^2 / Sxx)
--
-- s is the residual standard error (n - 2 degrees of freedom) and t_q the
-- 97.5% quantile of Student's t with n - 2 degrees of freedom (Cornish-Fisher
-- expansion from the normal quantile, Abramowitz and Stegun 26.7.5: within
-- 0.001 of the exact value from 10 degrees of freedom up). A straight line
-- ignores seasons and assumes the recent trend carries on: it answers "if
-- things go on as they have", not "what will happen". Rates are kept within
-- 0-100% and counts, costs and times at or above zero.
-- Rows: the fitted months (with the actual value) and the 12 projected months,
-- each with the target in force that month.
WITH series AS (
    SELECT k.kpi_id, k.period_month AS month, k.value
    FROM int_kpi_all k
    JOIN int_periods p ON p.period = k.period AND p.is_complete
    WHERE k.breakdown = '' AND k.kpi_id NOT LIKE 'survey.%' AND k.value IS NOT NULL AND NOT k.out_of_range
      AND k.kpi_id IN (SELECT kpi_id FROM ref_kpi_targets)
    QUALIFY row_number() OVER (PARTITION BY k.kpi_id ORDER BY k.period_month DESC) <= 24
),
placed AS (
    SELECT *, datediff('month', max(month) OVER (PARTITION BY kpi_id), month) AS t FROM series
),
fit AS (
    SELECT kpi_id, count(*) AS n, regr_slope(value, t) AS slope, regr_intercept(value, t) AS intercept,
           regr_r2(value, t) AS r2, avg(t) AS t_mean, regr_sxx(value, t) AS sxx,
           min(month) AS fit_from, max(month) AS fit_to
    FROM placed GROUP BY kpi_id
    HAVING count(*) >= 12
),
residuals AS (
    SELECT f.kpi_id, sum(power(p.value - (f.intercept + f.slope * p.t), 2)) AS sse
    FROM fit f JOIN placed p USING (kpi_id)
    GROUP BY f.kpi_id
),
spread AS (
    SELECT f.*, sqrt(r.sse / (f.n - 2)) AS resid_se FROM fit f JOIN residuals r USING (kpi_id)
),
quantile AS (
    SELECT *, z + (z^3 + z) / (4 * df) + (5 * z^5 + 16 * z^3 + 3 * z) / (96 * df^2)
              + (3 * z^7 + 19 * z^5 + 17 * z^3 - 15 * z) / (384 * df^3)
              + (79 * z^9 + 776 * z^7 + 1482 * z^5 - 1920 * z^3 - 945 * z) / (92160 * df^4) AS t_q
    FROM (SELECT *, 1.959963984540054::DOUBLE AS z, (n - 2)::DOUBLE AS df FROM spread)
),
months AS (
    -- the fitted months, then 12 ahead
    SELECT q.kpi_id, p.t, p.month, p.value AS actual, FALSE AS is_projection FROM quantile q JOIN placed p USING (kpi_id)
    UNION ALL
    SELECT q.kpi_id, h.t, (q.fit_to + to_months(h.t::INTEGER))::DATE, NULL, TRUE
    FROM quantile q CROSS JOIN (SELECT unnest(range(1, 13)) AS t) h
),
raw AS (
    SELECT m.*, q.n, q.slope, q.intercept, q.r2, q.resid_se, q.t_q, q.fit_from, q.fit_to, k.unit, k.polarity,
           q.intercept + q.slope * m.t AS trend,
           q.t_q * q.resid_se * sqrt(1 + 1 / q.n + power(m.t - q.t_mean, 2) / NULLIF(q.sxx, 0)) AS half_width
    FROM months m JOIN quantile q USING (kpi_id) JOIN ref_kpis k USING (kpi_id)
),
bounded AS (
    SELECT *,
        CASE WHEN unit = 'rate' THEN 1.0 ELSE 'infinity'::DOUBLE END AS upper_limit
    FROM raw
)
SELECT
    b.kpi_id, b.month, strftime(b.month, '%Y-%m') AS period, b.t AS months_ahead, b.is_projection, b.actual,
    least(greatest(b.trend, 0), b.upper_limit) AS trend,
    CASE WHEN b.is_projection THEN least(greatest(b.trend - b.half_width, 0), b.upper_limit) END AS trend_low,
    CASE WHEN b.is_projection THEN least(greatest(b.trend + b.half_width, 0), b.upper_limit) END AS trend_high,
    t.target, b.polarity, b.unit,
    b.n AS months_fitted, b.fit_from, b.fit_to, b.slope AS slope_per_month, b.slope * 12 AS change_per_year,
    b.intercept, b.r2, b.resid_se, b.t_q
FROM bounded b
LEFT JOIN ref_kpi_targets t
    ON t.kpi_id = b.kpi_id AND b.month >= t.valid_from AND (t.valid_to IS NULL OR b.month < t.valid_to)
