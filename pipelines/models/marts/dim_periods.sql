SELECT * FROM int_periods ORDER BY period
