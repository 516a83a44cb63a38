SELECT * FROM ref_survey_questions ORDER BY survey, question_id
