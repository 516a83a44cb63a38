-- One row per answer with the respondent's profile, weight and whether the
-- answer counts as positive for its question. The weight is the delivered one;
-- for a wave delivered without weights, the one the pipeline computed by raking
-- to the Census (survey_weights, written by pipelines/weighting.py); else 1.
SELECT
    r.survey, r.wave, r.response_id, r.responded_on, r.ward_code, r.age_band, r.gender, r.ethnicity,
    CASE r.disability WHEN TRUE THEN 'Y' WHEN FALSE THEN 'N' END AS disability,
    r.channel, r.service,
    coalesce(r.weight, sw.weight, 1.0) AS weight,
    a.question_id, a.answer,
    list_contains(string_split(q.positive_answers, '|'), a.answer) AS is_positive
FROM stg_survey_responses r
JOIN stg_survey_answers a ON a.response_id = r.response_id
JOIN ref_survey_questions q ON q.question_id = a.question_id
LEFT JOIN survey_weights sw ON sw.response_id = r.response_id AND sw.survey = r.survey AND sw.wave = r.wave
