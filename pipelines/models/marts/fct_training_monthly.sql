SELECT strftime(month, '%Y-%m') AS period, directorate, trained, headcount,
       trained / NULLIF(headcount, 0) AS trained_rate
FROM int_staff_trained_monthly ORDER BY period, directorate
