-- Weighted sums behind every survey figure: per question, period and
-- respondent group, the unweighted base, the sum of weights, of squared
-- weights and of weights of positive answers, beside the same sums for all
-- respondents of the period (so a group can be compared with the rest).
--
-- Periods: each survey wave; and, for the monthly post-contact survey, each
-- financial year pooled (groups such as disabled or 65+ respondents are too
-- few in one month to say much).
WITH scored AS (
    SELECT s.*, w.wave_month,
           CASE WHEN month(w.wave_month) >= 4 THEN year(w.wave_month) ELSE year(w.wave_month) - 1 END AS fy
    FROM int_survey_scored s
    JOIN int_survey_waves w ON w.survey = s.survey AND w.wave = s.wave
),
periods AS (
    SELECT *, 'wave' AS period_type, wave AS period, wave_month AS period_month FROM scored
    UNION ALL
    SELECT *, 'financial_year', fy::VARCHAR || '/' || right((fy + 1)::VARCHAR, 2), make_date(fy, 4, 1)
    FROM scored WHERE survey = 'transactional'
),
g AS (
    SELECT
        survey, question_id, period_type, period, period_month,
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
    FROM periods
    GROUP BY GROUPING SETS (
        (survey, question_id, period_type, period, period_month),
        (survey, question_id, period_type, period, period_month, age_band),
        (survey, question_id, period_type, period, period_month, gender),
        (survey, question_id, period_type, period, period_month, ethnicity),
        (survey, question_id, period_type, period, period_month, disability),
        (survey, question_id, period_type, period, period_month, ward_code),
        (survey, question_id, period_type, period, period_month, channel),
        (survey, question_id, period_type, period, period_month, service))
),
cells AS (SELECT * FROM g WHERE breakdown IS NOT NULL)
SELECT
    c.survey, c.question_id, c.period_type, c.period, c.period_month, c.breakdown,
    split_part(c.breakdown, '=', 1) AS dimension,
    c.base_n, c.w, c.w2, c.w_pos,
    c.w_pos / NULLIF(c.w, 0) AS share,
    (c.w * c.w) / NULLIF(c.w2, 0) AS n_eff,
    a.base_n AS all_base_n, a.w AS all_w, a.w2 AS all_w2, a.w_pos AS all_w_pos,
    a.w_pos / NULLIF(a.w, 0) AS all_share,
    (a.w * a.w) / NULLIF(a.w2, 0) AS all_n_eff
FROM cells c
JOIN cells a ON a.survey = c.survey AND a.question_id = c.question_id AND a.period_type = c.period_type
            AND a.period = c.period AND a.breakdown = ''
