-- Calls by day: weekday and seasonal patterns, bank holidays. (Sums keep the
-- types the counts had when this read int_calls: offered BIGINT, the rest HUGEINT.)
SELECT
    c.day, cal.iso_weekday, cal.is_working_day,
    sum(c.offered)::BIGINT AS offered,
    sum(c.answered) AS answered,
    sum(c.abandoned) AS abandoned,
    sum(c.answered_60s) AS answered_60s
FROM int_calls_daily c
JOIN int_calendar cal ON cal.day = c.day
GROUP BY ALL
ORDER BY day
