-- Calls by day: weekday and seasonal patterns, bank holidays.
SELECT
    c.day, cal.iso_weekday, cal.is_working_day,
    sum(c.offered)::BIGINT AS offered,
    sum(c.answered)::BIGINT AS answered,
    sum(c.abandoned)::BIGINT AS abandoned,
    sum(c.answered_60s)::BIGINT AS answered_60s
FROM int_calls_daily c
JOIN int_calendar cal ON cal.day = c.day
GROUP BY ALL
ORDER BY day
