-- Each question's answers by wave: weighted share of each answer label among
-- non-empty answers. Suppressed when the unweighted base is under 10.
WITH a AS (
    SELECT survey, wave, question_id, answer, count(*) AS responses, sum(weight) AS w
    FROM int_survey_scored GROUP BY ALL
),
b AS (
    SELECT survey, wave, question_id, sum(responses) AS base_n, sum(w) AS w_total FROM a GROUP BY ALL
)
SELECT a.survey, a.wave, a.question_id, a.answer,
       CASE WHEN b.base_n >= 10 THEN a.w / b.w_total END AS weighted_share,
       b.base_n::INTEGER AS base_n, b.base_n < 10 AS suppressed
FROM a JOIN b USING (survey, wave, question_id)
ORDER BY a.survey, a.wave, a.question_id, a.answer
