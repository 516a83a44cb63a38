-- Is a change real? Every survey figure (overall and by group) against the
-- previous wave of the same survey in which the question was asked: the
-- change in points, its 95% interval (Newcombe's hybrid score interval on the
-- effective bases) and the two-proportion z-test on effective bases. A page
-- says "significant rise", "significant fall" or "no significant change" and
-- shows a direction only when the change is significant. When either figure
-- is suppressed the change is not published (it would reveal the other);
-- a suppressed figure says "fewer than 10" (or that it protects a smaller
-- group, for secondary suppression), never 0.
-- A change across a change of weighting method (e.g. a wave weighted by the
-- survey agency after one raked by the pipeline, fct_survey_weighting) is
-- flagged: weighting_changed, with both methods in words (weighting_note). The
-- test still runs, but part of the change may come from the method.
WITH k AS (
    SELECT c.survey, c.question_id, c.period, c.period_month, c.breakdown, c.dimension, c.share, c.n_eff,
           c.base_n, coalesce(d.suppressed, FALSE) AS suppressed, d.suppression
    FROM int_survey_cells c
    LEFT JOIN int_kpi_disclosure d
        ON d.kpi_id = 'survey.' || c.question_id AND d.period = c.period AND d.breakdown = c.breakdown
    WHERE c.period_type = 'wave'
),
w AS (  -- the survey's waves in order, whether or not this group answered in each
    SELECT survey, wave, wave_month, lag(wave) OVER (PARTITION BY survey ORDER BY wave_month, wave) AS previous_wave
    FROM int_survey_waves
),
paired AS (
    SELECT k.*,
        lag(period) OVER q AS previous_period, lag(share) OVER q AS previous_share,
        lag(n_eff) OVER q AS previous_n_eff, lag(base_n) OVER q AS previous_base_n,
        lag(suppressed) OVER q AS previous_suppressed
    FROM k
    WINDOW q AS (PARTITION BY survey, question_id, breakdown ORDER BY period_month, period)
),
method AS (  -- how each wave was weighted, in the words a page shows
    SELECT survey, wave, weights,
           CASE weights WHEN 'delivered' THEN 'weighted by the agency'
                        WHEN 'computed' THEN 'raked by the pipeline'
                        ELSE 'not weighted' END AS weights_words
    FROM marts.fct_survey_weighting
),
t AS (
    SELECT p.*, w.previous_wave,
        NOT p.suppressed AND p.previous_period IS NOT NULL AND NOT p.previous_suppressed AS testable,
        p.share - p.previous_share AS change,
        stat_diff_low(p.share, p.n_eff, p.previous_share, p.previous_n_eff) AS change_ci_low,
        stat_diff_high(p.share, p.n_eff, p.previous_share, p.previous_n_eff) AS change_ci_high,
        stat_two_prop_p(p.share, p.n_eff, p.previous_share, p.previous_n_eff) AS p_value
    FROM paired p
    JOIN w ON w.survey = p.survey AND w.wave = p.period
)
SELECT
    'survey.' || t.question_id AS kpi_id, t.survey, t.question_id, t.period, t.period_month, t.breakdown,
    t.dimension AS breakdown_dimension,
    t.suppressed, t.suppression,
    t.previous_period,
    t.previous_period IS NOT DISTINCT FROM t.previous_wave AS previous_is_last_wave,
    CASE WHEN NOT t.suppressed THEN t.share END AS value,
    CASE WHEN NOT t.suppressed THEN t.base_n END::INTEGER AS base_n,
    CASE WHEN NOT t.suppressed THEN t.n_eff END AS base_n_eff,
    CASE WHEN t.testable THEN t.previous_share END AS previous_value,
    CASE WHEN t.testable THEN t.previous_base_n END::INTEGER AS previous_base_n,
    CASE WHEN t.testable THEN t.previous_n_eff END AS previous_base_n_eff,
    CASE WHEN t.testable THEN t.change END AS change,
    CASE WHEN t.testable THEN t.change_ci_low END AS change_ci_low,
    CASE WHEN t.testable THEN t.change_ci_high END AS change_ci_high,
    CASE WHEN t.testable THEN t.p_value END AS p_value,
    CASE WHEN t.testable THEN t.p_value < 0.05 END AS significant,
    CASE WHEN t.suppression = 'primary' THEN 'fewer than 10'
         WHEN t.suppressed THEN 'not shown (protects a smaller group)'
         WHEN t.previous_period IS NULL THEN 'first wave: no earlier figure'
         WHEN NOT t.testable THEN 'not tested: the earlier figure is not published'
         ELSE stat_change_words(t.change, t.p_value) END AS change_words,
    CASE WHEN t.testable AND t.p_value < 0.05 AND (t.change > 0) = (kq.polarity = 'higher') THEN 'better'
         WHEN t.testable AND t.p_value < 0.05 THEN 'worse' END AS better_or_worse,
    kq.polarity,
    m.weights AS weighting,
    CASE WHEN t.previous_period IS NOT NULL THEN pm.weights END AS previous_weighting,
    coalesce(t.previous_period IS NOT NULL AND m.weights IS DISTINCT FROM pm.weights, FALSE) AS weighting_changed,
    CASE WHEN t.previous_period IS NOT NULL AND m.weights IS DISTINCT FROM pm.weights
         THEN t.previous_period || ' ' || coalesce(pm.weights_words, 'weighting not known') || ', '
              || t.period || ' ' || coalesce(m.weights_words, 'weighting not known') END AS weighting_note
FROM t
JOIN ref_kpis kq ON kq.kpi_id = 'survey.' || t.question_id
LEFT JOIN method m ON m.survey = t.survey AND m.wave = t.period
LEFT JOIN method pm ON pm.survey = t.survey AND pm.wave = t.previous_period
ORDER BY kpi_id, t.breakdown, t.period_month, t.period
