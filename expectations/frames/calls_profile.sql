-- Frame `calls_profile`: one row per calls file processed in this run with the
-- day's answer rate and average wait, to catch implausible telephony exports.
SELECT _file,
       count(*) AS calls,
       avg(CASE WHEN outcome = 'answered' THEN 1.0 ELSE 0.0 END) AS answer_rate,
       avg(epoch(answered_at) - epoch(offered_at)) FILTER (WHERE outcome = 'answered') AS mean_wait_s,
       avg(CASE WHEN caller_hash IS NULL THEN 1.0 ELSE 0.0 END) AS withheld_share
FROM land_calls
WHERE _file IN (SELECT file_name FROM frame_files)
GROUP BY _file
