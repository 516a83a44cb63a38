-- Complaints by month, stage, service and category: received counts by month
-- of receipt; responses, on time and upheld by month of response. Ward is
-- aggregated away here (at this grain nearly every ward cell is a handful of
-- complaints): complaints by ward are in kpi_values (complaints_received,
-- breakdown ward_code=...) with disclosure control.
WITH received AS (
    SELECT month_received AS month, stage, directorate, service, category, count(*) AS received
    FROM int_complaints GROUP BY ALL
),
responded AS (
    SELECT month_responded AS month, stage, directorate, service, category,
           count(*) AS responded,
           count_if(on_time) AS on_time,
           count_if(outcome IS NOT NULL AND outcome <> 'withdrawn') AS decided,
           count_if(upheld) AS upheld,
           coalesce(sum(remedy_gbp), 0)::DOUBLE AS remedy_gbp,
           sum(working_days_taken) AS working_days_taken
    FROM int_complaints WHERE responded_on IS NOT NULL GROUP BY ALL
)
SELECT strftime(month, '%Y-%m') AS period, stage, directorate, service, category,
       coalesce(received, 0) AS received, coalesce(responded, 0) AS responded, coalesce(on_time, 0) AS on_time,
       coalesce(decided, 0) AS decided, coalesce(upheld, 0) AS upheld, coalesce(remedy_gbp, 0) AS remedy_gbp,
       coalesce(working_days_taken, 0) AS working_days_taken
FROM received FULL OUTER JOIN responded USING (month, stage, directorate, service, category)
ORDER BY period, stage, directorate, service, category
