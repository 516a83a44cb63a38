-- Frame `service_directorate`: per file processed in this run, each service and
-- directorate pair it holds, and whether the services reference table agrees.
SELECT c._file, c.service, c.directorate, count(*) AS rows,
       coalesce(s.directorate = c.directorate, FALSE) AS directorate_matches_service
FROM {land_table} c
LEFT JOIN ref_services s ON s.service_code = c.service
WHERE c._file IN (SELECT file_name FROM frame_files)
GROUP BY ALL
