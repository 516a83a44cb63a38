-- Disclosure control of the survey figures only (the rows of int_kpi_disclosure
-- for the KPIs int_kpi_surveys computes). The survey marts read this, so a
-- night that changes only calls and contacts leaves it, and them, as they were.
SELECT d.*
FROM int_kpi_disclosure d
WHERE d.kpi_id IN (SELECT DISTINCT kpi_id FROM int_kpi_surveys)
