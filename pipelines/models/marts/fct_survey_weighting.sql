-- One row per survey wave: whether its weights were delivered by the agency,
-- computed by the pipeline (raked to the Census, pipelines/weighting.py) or
-- absent (every respondent counts 1), and what weighting costs in precision:
-- the effective base (Kish), the weighting efficiency (effective base /
-- respondents) and the design effect (respondents / effective base), with the
-- smallest and largest weight relative to a mean of 1. For computed weights,
-- the margins raked to and how closely the weighted sample matches them.
WITH r AS (
    SELECT r.survey, r.wave, coalesce(r.weight, sw.weight, 1.0) AS weight, r.weight IS NOT NULL AS delivered,
           sw.weight IS NOT NULL AS computed
    FROM stg_survey_responses r
    LEFT JOIN survey_weights sw ON sw.response_id = r.response_id AND sw.survey = r.survey AND sw.wave = r.wave
),
a AS (
    SELECT survey, wave, count(*) AS respondents, count_if(delivered) AS delivered, count_if(computed) AS computed,
           sum(weight) AS sw, sum(weight * weight) AS sw2, min(weight) AS min_w, max(weight) AS max_w
    FROM r GROUP BY ALL
)
SELECT
    a.survey, a.wave, strftime(v.wave_month, '%Y-%m') AS wave_month, a.respondents,
    CASE WHEN a.delivered > 0 THEN 'delivered' WHEN a.computed > 0 THEN 'computed' ELSE 'unweighted' END AS weights,
    a.sw * a.sw / a.sw2 AS effective_base,
    (a.sw * a.sw / a.sw2) / a.respondents AS weighting_efficiency,
    a.respondents / (a.sw * a.sw / a.sw2) AS design_effect,
    a.min_w / (a.sw / a.respondents) AS min_weight,
    a.max_w / (a.sw / a.respondents) AS max_weight,
    ww.population AS weighted_to,
    array_to_string(ww.margins, ', ') AS margins,
    ww.cap AS weight_cap,
    ww.max_margin_error,
    CASE WHEN a.delivered > 0 THEN 'Weights delivered by the survey agency, used as delivered'
         WHEN a.computed > 0 THEN 'Weighted by the pipeline: raked to ' || ww.population
             || coalesce(' (' || ww.note || ')', '')
         WHEN ww.status IS NOT NULL THEN 'Not weighted: ' || ww.note
         ELSE 'Not weighted: no population profile is held for this survey' END AS note
FROM a
JOIN int_survey_waves v ON v.survey = a.survey AND v.wave = a.wave
LEFT JOIN survey_weighting_waves ww ON ww.survey = a.survey AND ww.wave = a.wave
ORDER BY a.survey, v.wave_month, a.wave
