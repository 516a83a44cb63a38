SELECT * FROM ref_outcomes ORDER BY outcome
