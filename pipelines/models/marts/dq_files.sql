-- Every delivery the warehouse holds, with what became of its rows.
SELECT source, file_name, status, reason, size_bytes, rows_read, rows_loaded, rows_quarantined, rows_flagged,
       array_to_string(unknown_columns, ', ') AS unknown_columns, array_to_string(notes, '; ') AS notes,
       processed_at
FROM ingest_files ORDER BY source, file_name
