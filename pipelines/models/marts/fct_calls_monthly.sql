-- Contact-centre volumes and timings by month and queue.
SELECT
    strftime(month, '%Y-%m') AS period, service, directorate,
    count(*) AS offered,
    count_if(outcome = 'answered') AS answered,
    count_if(outcome = 'abandoned') AS abandoned,
    count_if(outcome = 'answered' AND wait_s <= 60) AS answered_60s,
    coalesce(sum(wait_s) FILTER (WHERE outcome = 'answered'), 0) AS wait_sum_s,
    count_if(outcome = 'answered' AND first_contact_resolved IS NOT NULL) AS fcr_recorded,
    count_if(outcome = 'answered' AND first_contact_resolved) AS fcr_yes,
    count_if(caller_hash IS NOT NULL) AS with_caller,
    count_if(is_repeat_7d) AS repeat_calls
FROM int_calls
GROUP BY ALL
ORDER BY period, service
