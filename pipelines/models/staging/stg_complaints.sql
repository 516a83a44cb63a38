-- One row per key (case_ref,stage): a later file's row replaces an earlier one
-- (data contract s1: files apply in lexicographic order of name).
SELECT * EXCLUDE (_key)
FROM land_complaints
QUALIFY row_number() OVER (PARTITION BY case_ref,stage ORDER BY _file DESC, _row DESC) = 1
