-- One row per key (action_id,reported_on): a later file's row replaces an earlier one
-- (data contract s1: files apply in lexicographic order of name).
SELECT * EXCLUDE (_key)
FROM land_action_plan
QUALIFY row_number() OVER (PARTITION BY action_id,reported_on ORDER BY _file DESC, _row DESC) = 1
