-- Expectation files that could not be used, by run (the run went on without them).
SELECT r.started_at AS run_started_at, e.*
FROM suite_errors e JOIN runs r USING (run_id)
ORDER BY r.started_at DESC, e.source
