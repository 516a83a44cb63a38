-- One row per key (call_id): a later file's row replaces an earlier one
-- (data contract s1: files apply in lexicographic order of name).
/* incremental:
     unique_key: [call_id]
     period: offered_at
     rows_from: land_calls
*/
SELECT * EXCLUDE (_key)
FROM land_calls
QUALIFY row_number() OVER (PARTITION BY call_id ORDER BY _file DESC, _row DESC) = 1
