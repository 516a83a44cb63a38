-- One row per key (response_id): a later file's row replaces an earlier one
-- (data contract s1: files apply in lexicographic order of name).
SELECT * EXCLUDE (_key)
FROM land_survey_responses
QUALIFY row_number() OVER (PARTITION BY response_id ORDER BY _file DESC, _row DESC) = 1
