-- Survey KPIs (data contract s4): the weighted share of positive answers among
-- non-empty answers, per wave, overall and by respondent group.
-- base_n is the unweighted base; base_n_eff the effective base (Kish),
-- (sum w)^2 / sum w^2. The 95% interval is Wilson's on the effective base, so
-- weighting widens it by its design effect (pipelines/statistics.py).
-- Small bases are suppressed later, with every other breakdown (disclosure control).
SELECT
    'survey.' || c.question_id AS kpi_id,
    c.period,
    c.period_month,
    c.breakdown,
    c.share AS value,
    c.w_pos AS numerator,
    c.w AS denominator,
    c.base_n::INTEGER AS base_n,
    c.n_eff AS base_n_eff,
    stat_wilson_low(c.share, c.n_eff) AS ci_low,
    stat_wilson_high(c.share, c.n_eff) AS ci_high
FROM int_survey_cells c
WHERE c.period_type = 'wave'
