-- Complaint KPIs (data contract s4). Received counts by month of receipt;
-- on-time and upheld rates by month of response.
WITH received AS (
    SELECT
        month_received AS month,
        CASE WHEN GROUPING(service) = 0 THEN 'service=' || service
             WHEN GROUPING(directorate) = 0 THEN 'directorate=' || directorate
             WHEN GROUPING(ward_code) = 0 THEN 'ward_code=' || ward_code
             ELSE '' END AS breakdown,
        count(*) AS received
    FROM int_complaints
    WHERE stage = '1'
    GROUP BY GROUPING SETS ((month_received), (month_received, service), (month_received, directorate),
                            (month_received, ward_code))
),
responded AS (
    SELECT
        month_responded AS month,
        CASE WHEN GROUPING(service) = 0 THEN 'service=' || service
             WHEN GROUPING(directorate) = 0 THEN 'directorate=' || directorate
             ELSE '' END AS breakdown,
        count_if(stage = '1') AS s1_responded,
        count_if(stage = '1' AND on_time) AS s1_on_time,
        count_if(stage = '2') AS s2_responded,
        count_if(stage = '2' AND on_time) AS s2_on_time,
        count_if(stage IN ('1', '2') AND outcome IS NOT NULL AND outcome <> 'withdrawn') AS decided,
        count_if(stage IN ('1', '2') AND upheld) AS upheld
    FROM int_complaints
    WHERE responded_on IS NOT NULL
    GROUP BY GROUPING SETS ((month_responded), (month_responded, service), (month_responded, directorate))
),
escalated AS (
    SELECT month_received AS month, count(*) AS stage2_received
    FROM int_complaints WHERE stage = '2' GROUP BY ALL
),
contacts AS (
    SELECT
        month,
        CASE WHEN GROUPING(service) = 0 THEN 'service=' || service
             WHEN GROUPING(directorate) = 0 THEN 'directorate=' || directorate
             ELSE '' END AS breakdown,
        sum(contacts) AS contacts
    FROM int_contacts_monthly
    GROUP BY GROUPING SETS ((month), (month, service), (month, directorate))
),
k AS (
    SELECT 'complaints_received' AS kpi_id, month, breakdown, received::DOUBLE AS numerator,
           NULL::DOUBLE AS denominator, received::DOUBLE AS value
    FROM received
    UNION ALL SELECT 'stage1_on_time_rate', month, breakdown, s1_on_time, s1_responded, s1_on_time / NULLIF(s1_responded, 0) FROM responded
    UNION ALL SELECT 'stage2_on_time_rate', month, breakdown, s2_on_time, s2_responded, s2_on_time / NULLIF(s2_responded, 0) FROM responded
    UNION ALL SELECT 'complaints_upheld_rate', month, breakdown, upheld, decided, upheld / NULLIF(decided, 0) FROM responded
    UNION ALL SELECT 'complaints_escalation_rate', r.month, '', coalesce(e.stage2_received, 0), r.s1_responded,
           coalesce(e.stage2_received, 0) / NULLIF(r.s1_responded, 0)
    FROM responded r LEFT JOIN escalated e USING (month) WHERE r.breakdown = ''
    UNION ALL SELECT 'complaints_per_10k_contacts', c.month, c.breakdown, coalesce(r.received, 0), c.contacts,
           coalesce(r.received, 0) * 10000.0 / NULLIF(c.contacts, 0)
    FROM contacts c LEFT JOIN received r USING (month, breakdown)
    -- only months the complaints extract covers
    WHERE c.month BETWEEN (SELECT min(month_received) FROM int_complaints)
                      AND (SELECT max(month_received) FROM int_complaints)
)
SELECT kpi_id, strftime(month, '%Y-%m') AS period, month AS period_month, breakdown,
       value, numerator, denominator
FROM k
WHERE breakdown IS NOT NULL AND value IS NOT NULL AND month IS NOT NULL
