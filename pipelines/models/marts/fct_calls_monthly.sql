-- Contact-centre volumes and timings by month and queue.
SELECT
    strftime(month, '%Y-%m') AS period, service, directorate,
    sum(offered)::BIGINT AS offered,
    sum(answered)::BIGINT AS answered,
    sum(abandoned)::BIGINT AS abandoned,
    sum(answered_60s)::BIGINT AS answered_60s,
    coalesce(sum(wait_sum_s), 0) AS wait_sum_s,
    sum(fcr_recorded)::BIGINT AS fcr_recorded,
    sum(fcr_yes)::BIGINT AS fcr_yes,
    sum(with_caller)::BIGINT AS with_caller,
    sum(repeat_calls)::BIGINT AS repeat_calls
FROM int_calls_daily
GROUP BY ALL
ORDER BY period, service
