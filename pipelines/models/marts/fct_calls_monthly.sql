-- Contact-centre volumes and timings by month and queue. (Sums keep the types
-- the counts had when this read int_calls: offered BIGINT, the rest HUGEINT.)
SELECT
    strftime(month, '%Y-%m') AS period, service, directorate,
    sum(offered)::BIGINT AS offered,
    sum(answered) AS answered,
    sum(abandoned) AS abandoned,
    sum(answered_60s) AS answered_60s,
    coalesce(sum(wait_sum_s), 0) AS wait_sum_s,
    sum(fcr_recorded) AS fcr_recorded,
    sum(fcr_yes) AS fcr_yes,
    sum(with_caller) AS with_caller,
    sum(repeat_calls) AS repeat_calls
FROM int_calls_daily
GROUP BY ALL
ORDER BY period, service
