-- Each month's SPC signal as it stood when that month was the latest: what a
-- KPI card and the "since last period" list show for a chosen month, using
-- only the months up to it. The rules and constants are those of the chart's
-- model (int_kpi_spc); what differs is that nothing after the month is known:
--   - a rebase counts from its confirmed_month (the 7th month from the event,
--     when the shift became visible), so until then the months since the event
--     are judged against the limits before it;
--   - the baseline is the first 20 months of the segment so far (fewer early on);
--   - a run, trend or 2-of-3 counts when it ends with the month.
-- So for the latest month it gives int_kpi_spc's signal for that month.
-- A series' first segment needs 12 months before any signal is given
-- (assessed = false before then); a rebased segment is judged from its 7th
-- month, with limits_trial until it has 12.
WITH as_at_start AS (
    SELECT p.kpi_id, p.breakdown, p.period_month, max(r.rebase_month) AS rebased_from
    FROM int_kpi_spc_points p
    LEFT JOIN int_kpi_spc_rebases r
      ON r.kpi_id = p.kpi_id AND r.breakdown = p.breakdown AND r.confirmed_month <= p.period_month
    GROUP BY ALL
),
points AS (
    SELECT p.*, a.rebased_from,
           coalesce(a.rebased_from, min(p.period_month) OVER s) AS segment_start,
           abs(p.value - lag(p.value) OVER s) AS moving_range,
           sign(p.value - lag(p.value) OVER s) AS step
    FROM int_kpi_spc_points p
    JOIN as_at_start a USING (kpi_id, breakdown, period_month)
    WINDOW s AS (PARTITION BY p.kpi_id, p.breakdown ORDER BY p.period_month)
),
history AS (
    -- for each month, the months of its segment up to and including it (jr: 1 = the segment's first)
    SELECT i.kpi_id, i.breakdown, i.period_month, j.value AS j_value, j.moving_range AS j_moving_range,
           j.step AS j_step,
           row_number() OVER (PARTITION BY i.kpi_id, i.breakdown, i.period_month ORDER BY j.period_month) AS jr,
           count(*) OVER (PARTITION BY i.kpi_id, i.breakdown, i.period_month) AS months
    FROM points i
    JOIN points j
      ON j.kpi_id = i.kpi_id AND j.breakdown = i.breakdown
     AND j.period_month >= i.segment_start AND j.period_month <= i.period_month
),
limits AS (
    SELECT kpi_id, breakdown, period_month, max(months) AS segment_months,
           count(*) FILTER (WHERE jr <= 20) AS baseline_months,
           avg(j_value) FILTER (WHERE jr <= 20) AS mean,
           avg(j_moving_range) FILTER (WHERE jr BETWEEN 2 AND 20) AS mean_moving_range
    FROM history
    GROUP BY ALL
),
bounds AS (
    SELECT *, mean + 2.66 * mean_moving_range AS upper_limit, mean - 2.66 * mean_moving_range AS lower_limit,
           mean + 2.66 * 2 / 3 * mean_moving_range AS upper_two_sigma,
           mean - 2.66 * 2 / 3 * mean_moving_range AS lower_two_sigma
    FROM limits
),
recent AS (
    -- the months ending with this one, judged against this month's limits
    SELECT h.kpi_id, h.breakdown, h.period_month,
           count(*) FILTER (WHERE h.jr > h.months - 7) AS last7_months,
           bool_and(h.j_value > b.mean) FILTER (WHERE h.jr > h.months - 7) AS last7_above,
           bool_and(h.j_value < b.mean) FILTER (WHERE h.jr > h.months - 7) AS last7_below,
           count(*) FILTER (WHERE h.jr > h.months - 6 AND h.jr >= 2) AS last6_steps,
           bool_and(h.j_step > 0) FILTER (WHERE h.jr > h.months - 6 AND h.jr >= 2) AS last6_up,
           bool_and(h.j_step < 0) FILTER (WHERE h.jr > h.months - 6 AND h.jr >= 2) AS last6_down,
           count(*) FILTER (WHERE h.jr > h.months - 3) AS last3_months,
           count(*) FILTER (WHERE h.jr > h.months - 3
                              AND NOT (h.j_value > b.upper_limit OR h.j_value < b.lower_limit)
                              AND (h.j_value > b.upper_two_sigma OR h.j_value < b.lower_two_sigma)) AS last3_near,
           sum(sign(h.j_value - b.mean)) FILTER (WHERE h.jr > h.months - 3) AS last3_side
    FROM history h
    JOIN bounds b USING (kpi_id, breakdown, period_month)
    GROUP BY ALL
),
judged AS (
    SELECT p.kpi_id, p.breakdown, p.period, p.period_month, p.value, p.target, p.polarity, p.step,
           p.segment_start, p.rebased_from, b.segment_months, b.baseline_months, b.mean, b.mean_moving_range,
           b.lower_limit, b.upper_limit,
           sign(p.value - b.mean) AS side,
           coalesce(p.value > b.upper_limit OR p.value < b.lower_limit, FALSE) AS outside_limits,
           coalesce(NOT (p.value > b.upper_limit OR p.value < b.lower_limit)
                    AND (p.value > b.upper_two_sigma OR p.value < b.lower_two_sigma), FALSE) AS near_limit,
           r.last7_months = 7 AND (r.last7_above OR r.last7_below) AS in_run,
           coalesce(r.last6_steps = 6 AND (r.last6_up OR r.last6_down), FALSE) AS in_trend,
           r.last3_months = 3 AND r.last3_near >= 2 AND abs(r.last3_side) = 3 AS two_of_three,
           p.rebased_from IS NOT NULL OR b.segment_months >= 12 AS assessed
    FROM points p
    JOIN bounds b USING (kpi_id, breakdown, period_month)
    JOIN recent r USING (kpi_id, breakdown, period_month)
),
ruled AS (
    SELECT *,
           CASE WHEN NOT assessed THEN NULL
                WHEN outside_limits THEN 'outside_limits' WHEN in_trend THEN 'trend'
                WHEN near_limit AND two_of_three THEN 'two_of_three' WHEN in_run THEN 'run' END AS special_cause_rule
    FROM judged
),
signed AS (
    SELECT *,
           CASE WHEN special_cause_rule = 'trend' THEN CASE WHEN step > 0 THEN 'high' ELSE 'low' END
                WHEN special_cause_rule IS NOT NULL THEN CASE WHEN side > 0 THEN 'high' ELSE 'low' END
           END AS signal
    FROM ruled
)
SELECT
    kpi_id, breakdown, period, period_month, value, target, polarity, assessed,
    strftime(segment_start, '%Y-%m') AS segment_start, segment_months, baseline_months,
    baseline_months < 12 AS limits_trial,
    mean, lower_limit, upper_limit, special_cause_rule, signal,
    CASE WHEN NOT assessed THEN NULL
         WHEN special_cause_rule IS NULL THEN 'common_cause'
         WHEN polarity = 'none' THEN 'special_cause_neither'
         WHEN (signal = 'high') = (polarity = 'higher') THEN 'special_cause_improvement'
         ELSE 'special_cause_concern' END AS variation,
    CASE WHEN NOT assessed THEN NULL
         WHEN target IS NULL OR polarity = 'none' OR upper_limit IS NULL THEN 'no_target'
         WHEN target > upper_limit THEN CASE WHEN polarity = 'higher' THEN 'consistently_fails'
                                             ELSE 'consistently_passes' END
         WHEN target < lower_limit THEN CASE WHEN polarity = 'higher' THEN 'consistently_passes'
                                             ELSE 'consistently_fails' END
         ELSE 'hit_and_miss' END AS assurance
FROM signed
