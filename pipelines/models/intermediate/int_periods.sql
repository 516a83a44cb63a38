-- Calendar months that hold data, and whether each is complete: a month is
-- complete once the contact data reaches its last day or a later month.
WITH bounds AS (
    SELECT max(day) AS last_day_with_data FROM (
        SELECT max(offered_at)::DATE AS day FROM stg_calls
        UNION ALL SELECT max(started_at)::DATE FROM stg_contacts
    )
),
months AS (
    SELECT DISTINCT month FROM int_contacts_monthly
)
SELECT
    strftime(m.month, '%Y-%m') AS period,
    m.month AS month_start,
    last_day(m.month) AS month_end,
    b.last_day_with_data >= last_day(m.month) AS is_complete,
    CASE WHEN month(m.month) >= 4 THEN year(m.month) ELSE year(m.month) - 1 END AS financial_year_start,
    CASE WHEN month(m.month) >= 4
         THEN year(m.month)::VARCHAR || '/' || right((year(m.month) + 1)::VARCHAR, 2)
         ELSE (year(m.month) - 1)::VARCHAR || '/' || right(year(m.month)::VARCHAR, 2) END AS financial_year
FROM months m CROSS JOIN bounds b
