-- Events analysts mark on trend charts (data/reference/events.csv).
SELECT event_date, label, scope, source FROM ref_events ORDER BY event_date
