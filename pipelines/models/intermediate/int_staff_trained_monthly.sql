-- For each month with a headcount: employees who completed the core
-- `customer_service` course on or before the month's end, by directorate.
-- An employee counts once, in the directorate of their completion record.
WITH completions AS (
    SELECT employee_hash, directorate, min(completed_on) AS completed_on
    FROM stg_staff_training
    WHERE course = 'customer_service'
    GROUP BY employee_hash, directorate
),
months AS (
    SELECT DISTINCT month FROM stg_workforce
),
trained AS (
    SELECT m.month, c.directorate, count(DISTINCT c.employee_hash) AS trained
    FROM months m
    JOIN completions c ON c.completed_on <= last_day(m.month)
    GROUP BY ALL
)
SELECT w.month, w.directorate, coalesce(t.trained, 0) AS trained, w.headcount
FROM stg_workforce w
LEFT JOIN trained t ON t.month = w.month AND t.directorate = w.directorate
