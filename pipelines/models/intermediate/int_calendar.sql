-- Every day with whether it is a working day (Monday to Friday, not an England
-- and Wales bank holiday) and a running count of working days, so that the
-- working days after A up to and including B = wd_index(B) - wd_index(A).
-- Bank holidays come from ref_bank_holidays (2018-2030); outside that range
-- only weekends are excluded.
WITH days AS (
    SELECT d::DATE AS day
    FROM generate_series(DATE '2015-01-01', DATE '2035-12-31', INTERVAL 1 DAY) AS t(d)
)
SELECT
    day,
    date_trunc('month', day)::DATE AS month,
    isodow(day) AS iso_weekday,
    h.holiday_date IS NOT NULL AS is_bank_holiday,
    h.name AS bank_holiday,
    isodow(day) <= 5 AND h.holiday_date IS NULL AS is_working_day,
    sum(CASE WHEN isodow(day) <= 5 AND h.holiday_date IS NULL THEN 1 ELSE 0 END)
        OVER (ORDER BY day ROWS UNBOUNDED PRECEDING) AS wd_index
FROM days
LEFT JOIN ref_bank_holidays h ON h.holiday_date = days.day
