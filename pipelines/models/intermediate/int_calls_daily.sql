-- Calls by day and queue: the counts and sums behind fct_calls_daily and
-- fct_calls_monthly, kept month by month so that those marts, rebuilt every
-- run, do not read every call ever made.
/* incremental:
     partition: month
     inputs:
       int_calls: same month
*/
SELECT
    call_date AS day, month, service, directorate,
    count(*) AS offered,
    count_if(outcome = 'answered') AS answered,
    count_if(outcome = 'abandoned') AS abandoned,
    count_if(outcome = 'answered' AND wait_s <= 60) AS answered_60s,
    sum(wait_s) FILTER (WHERE outcome = 'answered') AS wait_sum_s,
    count_if(outcome = 'answered' AND first_contact_resolved IS NOT NULL) AS fcr_recorded,
    count_if(outcome = 'answered' AND first_contact_resolved) AS fcr_yes,
    count_if(caller_hash IS NOT NULL) AS with_caller,
    count_if(is_repeat_7d) AS repeat_calls
FROM int_calls
GROUP BY ALL
