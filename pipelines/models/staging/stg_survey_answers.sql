-- Answers of the surviving version of each response (a re-delivered response
-- replaces all of its answers, not just the ones it repeats).
SELECT r.response_id, a.question_id, a.answer
FROM land_survey_answers a
JOIN stg_survey_responses r ON r._file = a._file AND r._row = a._row
