-- One row per key (month,directorate): a later file's row replaces an earlier one
-- (data contract s1: files apply in lexicographic order of name).
SELECT * EXCLUDE (_key)
FROM land_workforce
QUALIFY row_number() OVER (PARTITION BY month,directorate ORDER BY _file DESC, _row DESC) = 1
