-- Pipeline run history, newest first.
SELECT * FROM runs ORDER BY started_at DESC
