-- Complaints received by the complainant's ward and financial year, all stages
-- and services together, per 10,000 residents (Census 2021): the safe grain for
-- a ward map. At month x service x category grain nearly every ward cell is a
-- handful of complaints (which is why fct_complaints_monthly has no ward).
-- Disclosure control as kpi_values: a ward with fewer than 10 complaints in the
-- year is suppressed (NULL with its flag, shown as "fewer than 10", never 0);
-- when exactly one ward of a year is suppressed the next smallest is too, so it
-- cannot be worked out from the year's total. Wards with no complaint at all
-- count as 0 (fewer than 10: suppressed too).
WITH years AS (
    SELECT DISTINCT CASE WHEN month(month_received) >= 4 THEN year(month_received)
                         ELSE year(month_received) - 1 END AS fy
    FROM int_complaints
),
counts AS (
    SELECT CASE WHEN month(month_received) >= 4 THEN year(month_received) ELSE year(month_received) - 1 END AS fy,
           ward_code, count(*) AS received
    FROM int_complaints WHERE ward_code IS NOT NULL GROUP BY ALL
),
cells AS (
    SELECT y.fy, w.ward_code, w.ward_name, w.population_census_2021, coalesce(c.received, 0) AS received
    FROM years y CROSS JOIN ref_wards w
    LEFT JOIN counts c ON c.fy = y.fy AND c.ward_code = w.ward_code
),
s AS (
    SELECT *, received < 10 AS primary_suppressed,
           received < 10 OR (count_if(received < 10) OVER (PARTITION BY fy) = 1
                             AND row_number() OVER (PARTITION BY fy, received < 10 ORDER BY received, ward_code) = 1)
               AS suppressed
    FROM cells
)
SELECT
    fy::VARCHAR || '/' || right((fy + 1)::VARCHAR, 2) AS financial_year,
    make_date(fy, 4, 1) AS year_start,
    ward_code, ward_name, population_census_2021,
    suppressed,
    CASE WHEN primary_suppressed THEN 'primary' WHEN suppressed THEN 'secondary' END AS suppression,
    CASE WHEN NOT suppressed THEN received END::INTEGER AS received,
    CASE WHEN NOT suppressed THEN received * 10000.0 / population_census_2021 END AS per_10k_residents,
    CASE WHEN primary_suppressed THEN 'fewer than 10'
         WHEN suppressed THEN 'not shown (protects a smaller ward)' END AS status_text
FROM s
ORDER BY financial_year, ward_code
