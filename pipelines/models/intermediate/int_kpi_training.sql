-- Staff trained in customer service (data contract s4), overall and by directorate.
WITH g AS (
    SELECT month,
           CASE WHEN GROUPING(directorate) = 0 THEN 'directorate=' || directorate ELSE '' END AS breakdown,
           sum(trained) AS trained, sum(headcount) AS headcount
    FROM int_staff_trained_monthly
    GROUP BY GROUPING SETS ((month), (month, directorate))
),
overall_trained AS (
    -- overall: every trained employee, whichever directorate recorded them
    SELECT m.month, count(DISTINCT t.employee_hash) AS trained
    FROM (SELECT DISTINCT month FROM stg_workforce) m
    JOIN stg_staff_training t ON t.course = 'customer_service' AND t.completed_on <= last_day(m.month)
    GROUP BY m.month
)
SELECT 'staff_trained_rate' AS kpi_id, strftime(g.month, '%Y-%m') AS period, g.month AS period_month, g.breakdown,
       CASE WHEN g.breakdown = '' THEN coalesce(o.trained, 0) ELSE g.trained END / NULLIF(g.headcount, 0) AS value,
       (CASE WHEN g.breakdown = '' THEN coalesce(o.trained, 0) ELSE g.trained END)::DOUBLE AS numerator,
       g.headcount::DOUBLE AS denominator
FROM g LEFT JOIN overall_trained o ON o.month = g.month AND g.breakdown = ''
WHERE g.breakdown IS NOT NULL AND g.headcount > 0
