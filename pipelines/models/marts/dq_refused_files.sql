-- Files refused whole, and why. The file itself stays in the landing zone.
SELECT source, file_name, reason, size_bytes, rows_read, processed_at
FROM ingest_files WHERE status = 'refused' ORDER BY source, file_name
