-- The calendar months each published KPI figure (overall) is computed from, and
-- the sources it is computed from (the catalogue's `sources`): a monthly KPI's
-- period is its month; a survey wave's months run from the start to the end of
-- its fieldwork (int_survey_waves).
WITH figures AS (
    SELECT DISTINCT a.kpi_id, a.period, a.period_month, k.cadence
    FROM int_kpi_all a JOIN ref_kpis k USING (kpi_id)
    WHERE a.breakdown = ''
),
wave_months AS (
    -- survey KPIs are named survey.<question_id> (kpi_catalogue.yaml)
    SELECT f.kpi_id, f.period, c.month
    FROM figures f
    JOIN ref_survey_questions q ON 'survey.' || q.question_id = f.kpi_id
    JOIN int_survey_waves w ON w.survey = q.survey AND w.wave = f.period
    JOIN (SELECT DISTINCT month FROM int_calendar) c
      ON c.month BETWEEN w.wave_month AND date_trunc('month', w.fieldwork_end)::DATE
    WHERE f.cadence = 'wave'
),
months AS (
    SELECT kpi_id, period, period_month::DATE AS month FROM figures WHERE cadence = 'monthly'
    UNION ALL SELECT kpi_id, period, month FROM wave_months
)
SELECT m.kpi_id, m.period, m.month, unnest(k.sources) AS source
FROM months m JOIN ref_kpis k USING (kpi_id)
