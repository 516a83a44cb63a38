-- Every KPI row from the int_kpi_* models, before disclosure control.
SELECT * FROM int_kpi_calls
UNION ALL BY NAME SELECT * FROM int_kpi_contacts
UNION ALL BY NAME SELECT * FROM int_kpi_costs
UNION ALL BY NAME SELECT * FROM int_kpi_complaints
UNION ALL BY NAME SELECT * FROM int_kpi_training
UNION ALL BY NAME SELECT * FROM int_kpi_surveys
