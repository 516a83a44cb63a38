-- One row per key (contact_id): a later file's row replaces an earlier one
-- (data contract s1: files apply in lexicographic order of name).
/* incremental:
     unique_key: [contact_id]
     period: started_at
     rows_from: land_contacts
*/
SELECT * EXCLUDE (_key)
FROM land_contacts
QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY _file DESC, _row DESC) = 1
