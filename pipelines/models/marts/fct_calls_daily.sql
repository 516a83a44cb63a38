-- Calls by day: weekday and seasonal patterns, bank holidays.
SELECT
    c.call_date AS day, cal.iso_weekday, cal.is_working_day,
    count(*) AS offered,
    count_if(c.outcome = 'answered') AS answered,
    count_if(c.outcome = 'abandoned') AS abandoned,
    count_if(c.outcome = 'answered' AND c.wait_s <= 60) AS answered_60s
FROM int_calls c
JOIN int_calendar cal ON cal.day = c.call_date
GROUP BY ALL
ORDER BY day
