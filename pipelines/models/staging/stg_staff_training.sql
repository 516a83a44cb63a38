-- One row per key (employee_hash,course): a later file's row replaces an earlier one
-- (data contract s1: files apply in lexicographic order of name).
SELECT * EXCLUDE (_key)
FROM land_staff_training
QUALIFY row_number() OVER (PARTITION BY employee_hash,course ORDER BY _file DESC, _row DESC) = 1
