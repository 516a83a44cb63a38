-- Per run and source: files and rows processed, quarantined and flagged (the
-- trend of quarantined rows on the data-quality page).
SELECT r.started_at AS run_started_at, s.*
FROM source_runs s JOIN runs r USING (run_id)
ORDER BY r.started_at DESC, s.source
