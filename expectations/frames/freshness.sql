-- Frame `freshness`: one row for {source}: days since its newest delivery landed
-- (file modification time) and since the latest event in its data.
SELECT '{source}' AS source,
       (SELECT count(*) FROM ingest_files WHERE source = '{source}') AS files,
       date_diff('hour', (SELECT max(delivered_at) FROM ingest_files WHERE source = '{source}'), now()::TIMESTAMP) / 24.0
           AS days_since_last_delivery
