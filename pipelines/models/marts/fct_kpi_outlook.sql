-- On current trend, will each monthly KPI meet its next target? The next
-- target is the one in force at the end of the current financial year: the
-- first March after the KPI's latest month (12 months ahead when that month
-- is March). The verdict compares the projected value (int_kpi_projection)
-- with that target: `on_course` on the point projection; `certainty` says
-- whether the whole 95% interval is on the same side ('clear') or straddles
-- the target ('uncertain').
WITH checkpoint AS (
    SELECT p.*,
           row_number() OVER (PARTITION BY kpi_id ORDER BY months_ahead) AS rn
    FROM int_kpi_projection p
    WHERE is_projection AND month(month) = 3
),
latest AS (
    SELECT kpi_id, actual AS latest_value, period AS latest_period, trend AS latest_trend
    FROM int_kpi_projection WHERE months_ahead = 0
)
SELECT
    c.kpi_id, l.latest_period, l.latest_value, c.period AS checkpoint_period, c.months_ahead,
    c.trend AS projected_value, c.trend_low AS projected_low, c.trend_high AS projected_high,
    c.target AS checkpoint_target, c.polarity, c.unit,
    c.months_fitted, strftime(c.fit_from, '%Y-%m') AS fit_from, strftime(c.fit_to, '%Y-%m') AS fit_to,
    c.slope_per_month, c.change_per_year, c.r2,
    CASE WHEN c.target IS NULL THEN NULL
         WHEN c.polarity = 'higher' THEN round(c.trend, 9) >= c.target
         ELSE round(c.trend, 9) <= c.target END AS on_course,
    CASE WHEN c.target IS NULL THEN NULL
         WHEN c.polarity = 'higher' AND (c.trend_low >= c.target OR c.trend_high < c.target) THEN 'clear'
         WHEN c.polarity = 'lower' AND (c.trend_high <= c.target OR c.trend_low > c.target) THEN 'clear'
         ELSE 'uncertain' END AS certainty
FROM checkpoint c JOIN latest l USING (kpi_id)
WHERE c.rn = 1
ORDER BY c.kpi_id
