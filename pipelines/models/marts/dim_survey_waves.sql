SELECT survey, wave, strftime(wave_month, '%Y-%m') AS wave_month, fieldwork_start, fieldwork_end, responses,
       weighted_responses
FROM int_survey_waves ORDER BY survey, wave
