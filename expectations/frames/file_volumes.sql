-- Frame `file_volumes`: one row per file of {source} processed in this run, with
-- its row count against the median of the 28 files before it (in name order).
-- A daily extract far outside its recent range usually means a partial or
-- doubled export. Placeholders: {source}, {land_table}; the table
-- `frame_files(file_name)` lists this run's files of the source.
WITH per_file AS (
    SELECT _file AS file_name, count(*) AS rows
    FROM {land_table}
    GROUP BY _file
),
ranked AS (
    SELECT file_name, rows,
           median(rows) OVER (ORDER BY file_name ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING) AS recent_median_rows,
           count(*) OVER (ORDER BY file_name ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING) AS recent_files
    FROM per_file
)
SELECT file_name AS _file, rows, recent_median_rows, recent_files,
       -- only judged once there is a history of a week of files
       CASE WHEN recent_files >= 7 THEN rows / NULLIF(recent_median_rows, 0) END AS rows_vs_recent
FROM ranked
WHERE file_name IN (SELECT file_name FROM frame_files)
