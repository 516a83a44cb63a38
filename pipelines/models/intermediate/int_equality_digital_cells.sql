-- Digital take-up by group, in the same shape as int_survey_cells so the same
-- comparison with the borough figure applies (group gaps).
--
-- From contacts (every contact counted, no sampling): by age band only, the
-- one characteristic contacts record. Calls record no age, so the share is
-- among contacts with an age recorded (online, email, webchat, social media,
-- face to face): digital / all of them, pooled by financial year. The
-- interval there reflects random variation from year to year, not sampling.
-- From the post-contact survey: the share of respondents whose rated contact
-- was digital, by age band, disability, gender and ethnicity, pooled by
-- financial year (weights as in int_survey_scored: 1 for this survey).
WITH contacts AS (
    SELECT CASE WHEN month(month) >= 4 THEN year(month) ELSE year(month) - 1 END AS fy,
           age_band, sum(contacts) AS contacts, sum(contacts) FILTER (WHERE is_digital) AS digital
    FROM int_contacts_monthly
    WHERE age_band IS NOT NULL
    GROUP BY ALL
),
contact_cells AS (
    SELECT 'digital_share' AS measure_id, 'contacts' AS source, fy,
           coalesce('age_band=' || age_band, '') AS breakdown,
           sum(contacts) AS n, sum(coalesce(digital, 0)) AS x
    FROM contacts
    GROUP BY GROUPING SETS ((fy), (fy, age_band))
),
respondents AS (
    SELECT DISTINCT s.response_id, s.age_band, s.gender, s.ethnicity, s.disability, s.weight, ch.is_digital,
           CASE WHEN month(w.wave_month) >= 4 THEN year(w.wave_month) ELSE year(w.wave_month) - 1 END AS fy
    FROM int_survey_scored s
    JOIN int_survey_waves w ON w.survey = s.survey AND w.wave = s.wave
    JOIN ref_channels ch ON ch.channel = s.channel
    WHERE s.survey = 'transactional'
),
survey_cells AS (
    SELECT 'digital_share_survey' AS measure_id, 'post-contact survey' AS source, fy,
        CASE WHEN GROUPING(age_band) = 0 THEN 'age_band=' || age_band
             WHEN GROUPING(gender) = 0 THEN 'gender=' || gender
             WHEN GROUPING(ethnicity) = 0 THEN 'ethnicity=' || ethnicity
             WHEN GROUPING(disability) = 0 THEN 'disability=' || disability
             ELSE '' END AS breakdown,
        count(*) AS base_n, sum(weight) AS w, sum(weight * weight) AS w2,
        sum(CASE WHEN is_digital THEN weight ELSE 0 END) AS w_pos
    FROM respondents
    GROUP BY GROUPING SETS ((fy), (fy, age_band), (fy, gender), (fy, ethnicity), (fy, disability))
),
cells AS (
    SELECT measure_id, source, fy, breakdown, n AS base_n, n::DOUBLE AS w, n::DOUBLE AS w2, x::DOUBLE AS w_pos
    FROM contact_cells WHERE breakdown IS NOT NULL
    UNION ALL
    SELECT measure_id, source, fy, breakdown, base_n, w, w2, w_pos FROM survey_cells WHERE breakdown IS NOT NULL
)
SELECT
    c.measure_id, c.source, 'financial_year' AS period_type,
    c.fy::VARCHAR || '/' || right((c.fy + 1)::VARCHAR, 2) AS period, make_date(c.fy, 4, 1) AS period_month,
    c.breakdown, split_part(c.breakdown, '=', 1) AS dimension,
    c.base_n, c.w, c.w2, c.w_pos, c.w_pos / NULLIF(c.w, 0) AS share, c.w * c.w / NULLIF(c.w2, 0) AS n_eff,
    a.base_n AS all_base_n, a.w AS all_w, a.w2 AS all_w2, a.w_pos AS all_w_pos,
    a.w_pos / NULLIF(a.w, 0) AS all_share, a.w * a.w / NULLIF(a.w2, 0) AS all_n_eff
FROM cells c
JOIN cells a ON a.measure_id = c.measure_id AND a.fy = c.fy AND a.breakdown = ''
