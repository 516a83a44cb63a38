-- Each group's figure against everyone's in the same period: the gap, its 95%
-- interval and whether it is statistically significant. Groups are survey
-- respondents (int_survey_cells) and, for digital take-up, contacts by age
-- band and post-contact survey respondents (int_equality_digital_cells).
--
-- A group is part of "all respondents", so it is tested against the REST
-- (all less the group: independent samples), with the two-proportion z-test
-- on effective bases. The gap to the all-respondents figure is
-- (1 - f) x (group - rest), f being the group's share of the weight, so its
-- interval is Newcombe's interval for group - rest scaled by (1 - f).
--
-- Disclosure control: survey wave figures follow kpi_values
-- (int_kpi_disclosure); financial-year pools apply the same rule (base under
-- 10, and the next smallest sibling when exactly one is suppressed). The
-- months inside a pool are protected in kpi_values so a pool less the other
-- months cannot reveal a suppressed month.
WITH cells AS (
    SELECT 'survey.' || question_id AS measure_id,
           CASE survey WHEN 'transactional' THEN 'post-contact survey' ELSE survey || ' survey' END AS source,
           * EXCLUDE (survey, question_id)
    FROM int_survey_cells
    UNION ALL BY NAME
    SELECT * FROM int_equality_digital_cells
),
c AS (
    SELECT *,
        all_w - w AS rest_w,
        (all_w_pos - w_pos) / NULLIF(all_w - w, 0) AS rest_share,
        (all_w - w) * (all_w - w) / NULLIF(all_w2 - w2, 0) AS rest_n_eff,
        w / NULLIF(all_w, 0) AS weight_share
    FROM cells
    WHERE breakdown <> ''
),
pooled AS (  -- disclosure control of financial-year pools
    SELECT measure_id, period, breakdown, base_n < 10 AS s0,
           count_if(base_n < 10) OVER (PARTITION BY measure_id, period, dimension) AS n_suppressed,
           row_number() OVER (PARTITION BY measure_id, period, dimension, base_n < 10
                              ORDER BY base_n, breakdown) AS smallest
    FROM c WHERE period_type = 'financial_year'
),
flags AS (
    SELECT c.*,
        -- everyone's figure is hidden too when it is (a wave of fewer than 10, or a month hidden to protect another)
        coalesce(o.suppressed, c.all_base_n < 10) AS all_suppressed,
        CASE WHEN c.period_type = 'wave' THEN coalesce(d.suppressed, c.base_n < 10)
             ELSE p.s0 OR (p.n_suppressed = 1 AND p.smallest = 1) END AS suppressed,
        CASE WHEN c.period_type = 'wave' THEN d.suppression
             WHEN p.s0 THEN 'primary' WHEN p.n_suppressed = 1 AND p.smallest = 1 THEN 'secondary' END AS suppression
    FROM c
    LEFT JOIN int_kpi_disclosure d
        ON c.period_type = 'wave' AND d.kpi_id = c.measure_id AND d.period = c.period
       AND d.breakdown = c.breakdown
    LEFT JOIN int_kpi_disclosure o
        ON c.period_type = 'wave' AND o.kpi_id = c.measure_id AND o.period = c.period AND o.breakdown = ''
    LEFT JOIN pooled p
        ON c.period_type = 'financial_year' AND p.measure_id = c.measure_id
       AND p.period = c.period AND p.breakdown = c.breakdown
),
t AS (
    SELECT *,
        share - all_share AS gap,
        (1 - weight_share) * stat_diff_low(share, n_eff, rest_share, rest_n_eff) AS gap_ci_low,
        (1 - weight_share) * stat_diff_high(share, n_eff, rest_share, rest_n_eff) AS gap_ci_high,
        stat_two_prop_p(share, n_eff, rest_share, rest_n_eff) AS p_value
    FROM flags
)
SELECT
    measure_id, source, period_type, period, period_month,
    breakdown, dimension AS breakdown_dimension, substr(breakdown, strpos(breakdown, '=') + 1) AS breakdown_value,
    suppressed, suppression,
    CASE WHEN NOT suppressed THEN base_n END::INTEGER AS base_n,
    CASE WHEN NOT suppressed THEN n_eff END AS base_n_eff,
    CASE WHEN NOT suppressed THEN share END AS value,
    CASE WHEN NOT suppressed THEN stat_wilson_low(share, n_eff) END AS ci_low,
    CASE WHEN NOT suppressed THEN stat_wilson_high(share, n_eff) END AS ci_high,
    CASE WHEN NOT all_suppressed THEN all_share END AS all_value,
    CASE WHEN NOT all_suppressed THEN all_base_n END::INTEGER AS all_base_n,
    CASE WHEN NOT all_suppressed THEN all_n_eff END AS all_base_n_eff,
    CASE WHEN NOT suppressed THEN gap END AS gap,
    CASE WHEN NOT suppressed THEN gap_ci_low END AS gap_ci_low,
    CASE WHEN NOT suppressed THEN gap_ci_high END AS gap_ci_high,
    CASE WHEN NOT suppressed THEN p_value END AS p_value,
    CASE WHEN NOT suppressed THEN p_value < 0.05 END AS significant,
    CASE WHEN suppression = 'primary' THEN 'not published: fewer than 10'
         WHEN suppressed THEN 'not published: protects a smaller group'
         WHEN rest_n_eff IS NULL OR rest_w <= 0 THEN 'not tested: no other respondents'
         ELSE stat_gap_words(gap, p_value) END AS gap_words
FROM t
