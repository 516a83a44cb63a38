-- One row per key (kpi_id, period): a later file's row replaces an earlier one
-- (data contract s2: files apply in lexicographic order of name, so a corrected
-- note is delivered as a later file).
SELECT * EXCLUDE (_key)
FROM land_kpi_commentary
QUALIFY row_number() OVER (PARTITION BY kpi_id, period ORDER BY _file DESC, _row DESC) = 1
