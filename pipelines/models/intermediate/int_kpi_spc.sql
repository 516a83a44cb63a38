-- XmR statistical process control for every monthly KPI series, as NHS
-- England's "Making Data Count" draws it, on every month published to date
-- (the trend charts). The same rules as NHSRplotthedots (NHS-R Community),
-- with the Making Data Count Excel tools' choice of not screening outliers.
--
-- Segments: a series is split at each accepted rebase (int_kpi_spc_rebases).
-- Baseline: a segment's mean and mean moving range come from its first 20
--   months (all of them when it has fewer); limits_trial when fewer than 12.
-- Limits: mean +/- 2.66 x mean moving range (3 sigma); "near the limits" is
--   beyond mean +/- 2/3 x 2.66 x mean moving range (2 sigma).
-- Special-cause rules, each within a segment, in this order of precedence:
--   outside_limits  a month above the upper or below the lower limit;
--   trend           7 or more months in a row each higher (or each lower) than
--                   the one before; a tie breaks it;
--   two_of_three    2 of 3 months in a row near the limits (beyond 2 sigma,
--                   not outside) with all 3 on the same side of the mean;
--   run             7 or more months in a row on the same side of the mean (a
--                   month on the mean breaks it).
--   Every month of a trend, run or 2-of-3 is marked, as on a Making Data Count chart.
-- signal: high or low (for a trend, its direction; a month that ends one
--   trend and starts another takes the later one's). variation: by the KPI's
--   polarity, special_cause_improvement or special_cause_concern;
--   special_cause_neither for a KPI with no better direction; else common_cause.
-- assurance, against the target in force that month and the segment's limits:
--   consistently_passes (every month the process produces meets the target),
--   consistently_fails (none does), hit_and_miss (the target lies within the
--   limits), no_target.
WITH starts AS (
    SELECT p.kpi_id, p.breakdown, p.period_month, max(r.rebase_month) AS rebased_from,
           arg_max(r.event_label, r.rebase_month) AS rebase_event
    FROM int_kpi_spc_points p
    LEFT JOIN int_kpi_spc_rebases r
      ON r.kpi_id = p.kpi_id AND r.breakdown = p.breakdown AND r.rebase_month <= p.period_month
    GROUP BY ALL
),
seg AS (
    SELECT p.*, s.rebase_event,
           coalesce(s.rebased_from, min(p.period_month) OVER (PARTITION BY p.kpi_id, p.breakdown)) AS segment_start
    FROM int_kpi_spc_points p
    JOIN starts s USING (kpi_id, breakdown, period_month)
),
numbered AS (
    SELECT *,
           row_number() OVER w AS segment_month,
           abs(value - lag(value) OVER w) AS moving_range,
           sign(value - lag(value) OVER w) AS step
    FROM seg
    WINDOW w AS (PARTITION BY kpi_id, breakdown, segment_start ORDER BY period_month)
),
baseline AS (
    SELECT kpi_id, breakdown, segment_start,
           count(*) FILTER (WHERE segment_month <= 20) AS baseline_months,
           max(period_month) FILTER (WHERE segment_month <= 20) AS baseline_to,
           avg(value) FILTER (WHERE segment_month <= 20) AS mean,
           avg(moving_range) FILTER (WHERE segment_month BETWEEN 2 AND 20) AS mean_moving_range
    FROM numbered
    GROUP BY ALL
),
judged AS (
    SELECT n.*, b.baseline_months, b.baseline_to, b.mean, b.mean_moving_range,
           b.mean + 2.66 * b.mean_moving_range AS upper_limit,
           b.mean - 2.66 * b.mean_moving_range AS lower_limit,
           b.mean + 2.66 * 2 / 3 * b.mean_moving_range AS upper_two_sigma,
           b.mean - 2.66 * 2 / 3 * b.mean_moving_range AS lower_two_sigma,
           sign(n.value - b.mean) AS side
    FROM numbered n
    JOIN baseline b USING (kpi_id, breakdown, segment_start)
),
flagged AS (
    SELECT *,
           coalesce(value > upper_limit OR value < lower_limit, FALSE) AS outside_limits,
           coalesce(NOT (value > upper_limit OR value < lower_limit)
                    AND (value > upper_two_sigma OR value < lower_two_sigma), FALSE) AS near_limit
    FROM judged
),
islands AS (
    -- consecutive months with the same side of the mean (or the same step) share an island
    SELECT *,
           segment_month - row_number() OVER (PARTITION BY kpi_id, breakdown, segment_start, side
                                              ORDER BY period_month) AS side_island,
           segment_month - row_number() OVER (PARTITION BY kpi_id, breakdown, segment_start, step
                                              ORDER BY period_month) AS step_island
    FROM flagged
),
counted AS (
    SELECT *,
           count(*) OVER (PARTITION BY kpi_id, breakdown, segment_start, side, side_island) AS side_run_months,
           count(*) OVER (PARTITION BY kpi_id, breakdown, segment_start, step, step_island) AS step_run_steps,
           -- the three months starting here
           count(*) OVER w3 AS window_months,
           sum(near_limit::INTEGER) OVER w3 AS window_near,
           sum(side) OVER w3 AS window_side
    FROM islands
    WINDOW w3 AS (PARTITION BY kpi_id, breakdown, segment_start ORDER BY period_month
                  ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING)
),
rules AS (
    SELECT *,
           side <> 0 AND side_run_months >= 7 AS in_run,
           -- 6 steps the same way = 7 months; this month ends one of those steps
           coalesce(step <> 0 AND step_run_steps >= 6, FALSE) AS ends_trend_step,
           window_months = 3 AND window_near >= 2 AND abs(window_side) = 3 AS starts_two_of_three
    FROM counted
),
rules_marked AS (
    SELECT *,
           -- a trend's first month is the one before its first step
           ends_trend_step OR coalesce(lead(ends_trend_step) OVER w, FALSE) AS in_trend,
           lead(step) OVER w AS next_step,
           near_limit AND bool_or(starts_two_of_three) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
               AS in_two_of_three
    FROM rules
    WINDOW w AS (PARTITION BY kpi_id, breakdown, segment_start ORDER BY period_month)
),
trend_sides AS (
    -- a month in a trend takes the direction of the step after it when the next
    -- month is in a trend too, else of the step before it (NHSRplotthedots)
    SELECT *, CASE WHEN in_trend AND coalesce(lead(in_trend) OVER w, FALSE) THEN next_step ELSE step END
                  AS trend_step
    FROM rules_marked
    WINDOW w AS (PARTITION BY kpi_id, breakdown, segment_start ORDER BY period_month)
),
ruled AS (
    SELECT *,
           CASE WHEN outside_limits THEN 'outside_limits' WHEN in_trend THEN 'trend'
                WHEN in_two_of_three THEN 'two_of_three' WHEN in_run THEN 'run' END AS special_cause_rule,
           CASE WHEN in_trend AND NOT outside_limits THEN CASE WHEN trend_step > 0 THEN 'high' ELSE 'low' END
                WHEN outside_limits OR in_two_of_three OR in_run THEN CASE WHEN side > 0 THEN 'high' ELSE 'low' END
           END AS signal
    FROM trend_sides
)
SELECT
    kpi_id, breakdown, period, period_month, value, target, polarity,
    strftime(segment_start, '%Y-%m') AS segment_start, rebase_event AS segment_event, segment_month,
    baseline_months, strftime(baseline_to, '%Y-%m') AS baseline_to, baseline_months < 12 AS limits_trial,
    mean, mean_moving_range, lower_limit, upper_limit, lower_two_sigma, upper_two_sigma,
    special_cause_rule, signal,
    CASE WHEN special_cause_rule IS NULL THEN 'common_cause'
         WHEN polarity = 'none' THEN 'special_cause_neither'
         WHEN (signal = 'high') = (polarity = 'higher') THEN 'special_cause_improvement'
         ELSE 'special_cause_concern' END AS variation,
    CASE WHEN target IS NULL OR polarity = 'none' OR upper_limit IS NULL THEN 'no_target'
         WHEN target > upper_limit THEN CASE WHEN polarity = 'higher' THEN 'consistently_fails'
                                             ELSE 'consistently_passes' END
         WHEN target < lower_limit THEN CASE WHEN polarity = 'higher' THEN 'consistently_passes'
                                             ELSE 'consistently_fails' END
         ELSE 'hit_and_miss' END AS assurance
FROM ruled
