-- Each survey wave with the month its fieldwork started: the month whose
-- target applies to the wave's results.
SELECT survey, wave,
       date_trunc('month', min(responded_on))::DATE AS wave_month,
       min(responded_on) AS fieldwork_start,
       max(responded_on) AS fieldwork_end,
       count(*) AS responses,
       count(weight) AS weighted_responses
FROM stg_survey_responses
GROUP BY survey, wave
