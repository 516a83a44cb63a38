-- Quarantined rows for analysts, without pseudonymised identifiers: those
-- columns are dropped from the record and anything still shaped like one (or
-- like an e-mail address or phone number, e.g. in an unreadable raw line) is
-- masked. A row is `released` once a later file delivered a valid row with the
-- same key (the source system's correction); it stays listed for the record.
WITH corrections AS (
    SELECT 'calls' AS source, _file, _key FROM land_calls WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'calls')
    UNION ALL SELECT 'contacts' AS source, _file, _key FROM land_contacts WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'contacts')
    UNION ALL SELECT 'channel_costs' AS source, _file, _key FROM land_channel_costs WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'channel_costs')
    UNION ALL SELECT 'complaints' AS source, _file, _key FROM land_complaints WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'complaints')
    UNION ALL SELECT 'survey_responses' AS source, _file, _key FROM land_survey_responses WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'survey_responses')
    UNION ALL SELECT 'staff_training' AS source, _file, _key FROM land_staff_training WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'staff_training')
    UNION ALL SELECT 'workforce' AS source, _file, _key FROM land_workforce WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'workforce')
    UNION ALL SELECT 'action_plan' AS source, _file, _key FROM land_action_plan WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'action_plan')
    UNION ALL SELECT 'kpi_commentary' AS source, _file, _key FROM land_kpi_commentary WHERE _key IN (SELECT record_key FROM quarantine WHERE source = 'kpi_commentary')
),
released AS (
    SELECT q.source, q.file_name, q.row_number, min(c._file) AS corrected_by_file
    FROM quarantine q
    JOIN corrections c ON c.source = q.source AND c._key = q.record_key AND c._file > q.file_name
    GROUP BY ALL
),
-- Every column any failed check of the row says may be personal data, so each
-- line of the row (one per check) hides all of them, not only its own.
masks AS (
    SELECT source, file_name, row_number,
           json_group_object(masked_column, '[removed: may be personal data]') AS patch
    FROM quarantine WHERE masked_column IS NOT NULL
    GROUP BY ALL
),
masked AS (
    SELECT q.*,
        regexp_replace(regexp_replace(regexp_replace(
            json_merge_patch(json_merge_patch(
                json_merge_patch(q.record, '{"caller_hash": null, "customer_hash": null, "employee_hash": null}'),
                -- a value a check says may be personal data (e.g. a name as owner_role)
                coalesce(mk.patch, '{}')
            ),
            -- an owner's free-text commentary is never shown here, whatever the check:
            -- no pattern finds every resident's name (the file in RAW has it)
            CASE WHEN q.source <> 'kpi_commentary' THEN '{}'
                 WHEN json_exists(q.record, '$.raw_line')  -- a line that could not be split into fields
                 THEN '{"raw_line": "[commentary withheld: read it in the delivered file]"}'
                 ELSE '{"text": "[commentary withheld: read it in the delivered file]"}' END
            )::VARCHAR,
            '[0-9a-f]{16,}', '[pseudonymised id removed]', 'g'),
            '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+', '[e-mail removed]', 'g'),
            '(\+44 ?|\b0)[0-9]{2,4}[ -]?[0-9]{3,4}[ -]?[0-9]{3,4}\b', '[phone number removed]', 'g') AS record_masked
    FROM quarantine q
    LEFT JOIN masks mk USING (source, file_name, row_number)
)
SELECT m.source, m.file_name, m.row_number, m.check_name, m.severity, m.reason,
       m.record_masked AS record,
       CASE WHEN r.corrected_by_file IS NULL THEN 'open' ELSE 'released' END AS status,
       r.corrected_by_file
FROM masked m
LEFT JOIN released r USING (source, file_name, row_number)
ORDER BY m.source, m.file_name, m.row_number, m.check_name
