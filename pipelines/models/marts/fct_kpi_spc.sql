-- Statistical process control (XmR, NHS England "Making Data Count") for every
-- monthly KPI, overall and by each breakdown not under disclosure control: one
-- row per KPI, breakdown and complete month. The rules are written out in
-- int_kpi_spc.sql and, for a board member, in dashboard/methodology/20_status_and_variation.md.
--
-- Two readings of each month:
--   the chart's (mean ... assurance): segments, limits and signals drawn on
--     every month published to date, as a Making Data Count chart shows them;
--   as_at_* : the signal the month gave when it was the latest month, from the
--     months up to it only (int_kpi_spc_as_at): what a KPI card and the "since
--     last period" list say for a chosen month. For the latest month the two agree.
SELECT
    c.kpi_id, c.breakdown, c.period, c.period_month, c.value, c.target, c.polarity,
    c.segment_start, c.segment_event, c.segment_month, c.baseline_months, c.baseline_to, c.limits_trial,
    c.mean, c.mean_moving_range, c.lower_limit, c.upper_limit, c.lower_two_sigma, c.upper_two_sigma,
    c.special_cause_rule, c.signal, c.variation, c.assurance,
    a.assessed AS as_at_assessed, a.segment_start AS as_at_segment_start, a.segment_months AS as_at_segment_months,
    a.limits_trial AS as_at_limits_trial, a.mean AS as_at_mean, a.lower_limit AS as_at_lower_limit,
    a.upper_limit AS as_at_upper_limit, a.special_cause_rule AS as_at_special_cause_rule,
    a.signal AS as_at_signal, a.variation AS as_at_variation, a.assurance AS as_at_assurance
FROM int_kpi_spc c
JOIN int_kpi_spc_as_at a USING (kpi_id, breakdown, period_month)
ORDER BY c.kpi_id, c.breakdown, c.period_month
