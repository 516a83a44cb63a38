-- Each question's answers by wave: weighted share of each answer label among
-- non-empty answers. Suppressed as the question's figure for the wave is in
-- kpi_values (int_survey_disclosure: fewer than 10 answers, or hidden to protect
-- another wave pooled with it).
WITH a AS (
    SELECT survey, wave, question_id, answer, count(*) AS responses, sum(weight) AS w
    FROM int_survey_scored GROUP BY ALL
),
b AS (
    SELECT survey, wave, question_id, sum(responses) AS base_n, sum(w) AS w_total FROM a GROUP BY ALL
),
s AS (
    SELECT b.*, coalesce(d.suppressed, b.base_n < 10) AS suppressed
    FROM b
    LEFT JOIN int_survey_disclosure d ON d.kpi_id = 'survey.' || b.question_id AND d.period = b.wave AND d.breakdown = ''
)
SELECT a.survey, a.wave, a.question_id, a.answer,
       CASE WHEN NOT s.suppressed THEN a.w / s.w_total END AS weighted_share,
       CASE WHEN NOT s.suppressed THEN s.base_n END::INTEGER AS base_n, s.suppressed
FROM a JOIN s USING (survey, wave, question_id)
ORDER BY a.survey, a.wave, a.question_id, a.answer
