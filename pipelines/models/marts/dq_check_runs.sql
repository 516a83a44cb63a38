-- Each expectation evaluated in each run, with how many rows it checked and failed.
SELECT r.started_at AS run_started_at, c.*
FROM check_runs c JOIN runs r USING (run_id)
ORDER BY r.started_at DESC, c.source, c.check_name
