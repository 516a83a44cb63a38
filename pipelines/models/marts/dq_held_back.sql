-- Rows held back: one row per source record (source, file, row number) in
-- quarantine, whatever the number of checks it failed. This is what "a row held
-- back" means everywhere: the run's summary line, manifest.json, the overview,
-- the Data quality page and `python -m pipelines quarantine`. The checks a row
-- failed are listed together (checks, reasons), and counted (checks_failed):
-- failed checks are a separate, larger figure, always labelled as such.
-- A row is `open` (held back) until a later file delivers its key as a valid
-- row (status `released`, corrected_by_file). Rows of a file refused whole are
-- not here: the file is listed in dq_refused_files instead.
SELECT source, file_name, row_number,
       count(*) AS checks_failed,
       string_agg(check_name, '; ' ORDER BY check_name) AS checks,
       string_agg(reason, '; ' ORDER BY check_name) AS reasons,
       CASE WHEN bool_or(severity = 'critical') THEN 'critical'
            WHEN bool_or(severity = 'warning') THEN 'warning' ELSE min(severity) END AS severity,
       any_value(record) AS record,
       any_value(status) AS status,
       any_value(corrected_by_file) AS corrected_by_file
FROM marts.dq_quarantine
GROUP BY source, file_name, row_number
ORDER BY source, file_name, row_number
