-- Per source: the newest file, when it was processed, rows published, rows
-- held back (dq_held_back: distinct source rows still in quarantine) with the
-- checks they failed, and the latest event in the data (what "data as at"
-- means for that source).
WITH published AS (
    SELECT 'calls' AS source, count(*) AS rows_published, max(offered_at)::TIMESTAMP AS latest_event FROM stg_calls
    UNION ALL SELECT 'contacts' AS source, count(*) AS rows_published, max(started_at)::TIMESTAMP AS latest_event FROM stg_contacts
    UNION ALL SELECT 'channel_costs' AS source, count(*) AS rows_published, max(month)::TIMESTAMP AS latest_event FROM stg_channel_costs
    UNION ALL SELECT 'complaints' AS source, count(*) AS rows_published, max(received_on)::TIMESTAMP AS latest_event FROM stg_complaints
    UNION ALL SELECT 'survey_responses' AS source, count(*) AS rows_published, max(responded_on)::TIMESTAMP AS latest_event FROM stg_survey_responses
    UNION ALL SELECT 'staff_training' AS source, count(*) AS rows_published, max(completed_on)::TIMESTAMP AS latest_event FROM stg_staff_training
    UNION ALL SELECT 'workforce' AS source, count(*) AS rows_published, max(month)::TIMESTAMP AS latest_event FROM stg_workforce
    UNION ALL SELECT 'action_plan' AS source, count(*) AS rows_published, max(reported_on)::TIMESTAMP AS latest_event FROM stg_action_plan
    UNION ALL SELECT 'kpi_commentary' AS source, count(*) AS rows_published, max(written_on)::TIMESTAMP AS latest_event FROM stg_kpi_commentary
),
files AS (
    SELECT source, count(*) AS files, count_if(status = 'refused') AS files_refused,
           max(file_name) AS last_file, max(delivered_at) AS last_delivered_at, max(processed_at) AS last_processed_at
    FROM ingest_files GROUP BY source
),
held AS (
    SELECT source, count(*) AS rows_held_back, sum(checks_failed) AS checks_failed
    FROM marts.dq_held_back WHERE status = 'open' GROUP BY source
)
SELECT p.source, coalesce(f.files, 0) AS files, coalesce(f.files_refused, 0)::BIGINT AS files_refused, f.last_file,
       f.last_delivered_at, f.last_processed_at, p.rows_published, coalesce(h.rows_held_back, 0) AS rows_held_back,
       coalesce(h.checks_failed, 0)::BIGINT AS checks_failed,
       p.latest_event
FROM published p LEFT JOIN files f USING (source) LEFT JOIN held h USING (source)
ORDER BY p.source
