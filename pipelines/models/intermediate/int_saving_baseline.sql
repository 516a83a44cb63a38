-- The baseline period of the channel-shift saving: the first full financial
-- year (April to March, twelve complete months) in the data. Until the data
-- holds a full financial year, the first twelve complete months stand in, and
-- the label says so. One row, or none when there are not yet twelve months.
WITH full_years AS (
    SELECT financial_year, min(month_start) AS start_month, max(month_start) AS end_month
    FROM int_periods
    GROUP BY financial_year
    HAVING count(*) = 12 AND bool_and(is_complete)
),
first_year AS (
    SELECT 'financial year ' || financial_year AS label, start_month, end_month
    FROM full_years ORDER BY start_month LIMIT 1
),
first_twelve AS (
    SELECT 'first twelve complete months (' || strftime(min(month_start), '%b %Y') || ' to '
               || strftime(max(month_start), '%b %Y') || ')' AS label,
           min(month_start) AS start_month, max(month_start) AS end_month
    FROM (SELECT month_start FROM int_periods WHERE is_complete ORDER BY month_start LIMIT 12)
    HAVING count(*) = 12
)
SELECT label, start_month, end_month FROM first_year
UNION ALL
SELECT label, start_month, end_month FROM first_twelve WHERE NOT EXISTS (SELECT 1 FROM first_year)
