-- Survey KPIs (data contract s4): the weighted share of positive answers among
-- non-empty answers, per wave, overall and by respondent group.
-- base_n is the unweighted base. The 95% interval is Wilson's, on the
-- effective base n_eff = (sum w)^2 / sum w^2 so weighting widens it (Kish).
-- A figure whose unweighted base is under 10 is suppressed (value empty).
WITH g AS (
    SELECT
        question_id, survey, wave,
        CASE WHEN GROUPING(age_band) = 0 THEN 'age_band=' || age_band
             WHEN GROUPING(gender) = 0 THEN 'gender=' || gender
             WHEN GROUPING(ethnicity) = 0 THEN 'ethnicity=' || ethnicity
             WHEN GROUPING(disability) = 0 THEN 'disability=' || disability
             WHEN GROUPING(ward_code) = 0 THEN 'ward_code=' || ward_code
             WHEN GROUPING(channel) = 0 THEN 'channel=' || channel
             WHEN GROUPING(service) = 0 THEN 'service=' || service
             ELSE '' END AS breakdown,
        count(*) AS base_n,
        sum(weight) AS w,
        sum(weight * weight) AS w2,
        sum(CASE WHEN is_positive THEN weight ELSE 0 END) AS w_pos
    FROM int_survey_scored
    GROUP BY GROUPING SETS (
        (question_id, survey, wave), (question_id, survey, wave, age_band), (question_id, survey, wave, gender),
        (question_id, survey, wave, ethnicity), (question_id, survey, wave, disability),
        (question_id, survey, wave, ward_code), (question_id, survey, wave, channel),
        (question_id, survey, wave, service))
),
p AS (
    SELECT *, w_pos / NULLIF(w, 0) AS share, (w * w) / NULLIF(w2, 0) AS n_eff, 1.959963984540054 AS z
    FROM g WHERE breakdown IS NOT NULL
),
ci AS (
    SELECT *,
        (share + z * z / (2 * n_eff)) / (1 + z * z / n_eff) AS centre,
        z * sqrt(share * (1 - share) / n_eff + z * z / (4 * n_eff * n_eff)) / (1 + z * z / n_eff) AS half_width
    FROM p
)
SELECT
    'survey.' || ci.question_id AS kpi_id,
    ci.wave AS period,
    w.wave_month AS period_month,
    ci.breakdown,
    CASE WHEN base_n >= 10 THEN share END AS value,
    CASE WHEN base_n >= 10 THEN w_pos END AS numerator,
    CASE WHEN base_n >= 10 THEN w END AS denominator,
    base_n::INTEGER AS base_n,
    CASE WHEN base_n >= 10 THEN greatest(0.0, centre - half_width) END AS ci_low,
    CASE WHEN base_n >= 10 THEN least(1.0, centre + half_width) END AS ci_high,
    base_n < 10 AS suppressed
FROM ci
JOIN int_survey_waves w ON w.survey = ci.survey AND w.wave = ci.wave
