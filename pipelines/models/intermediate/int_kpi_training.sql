-- Staff trained in customer service (data contract s4), overall and by directorate.
--
-- The numerator counts the same staff as the denominator. An employee counts
-- once, in the directorate of their completion record (int_staff_trained_monthly),
-- and only in a month for which that directorate reported its headcount; the
-- overall figure is the sum over those directorates. When a directorate's
-- snapshot is missing (e.g. exported as zero and quarantined), its trained
-- staff drop out of the numerator as its headcount drops out of the
-- denominator. Counting every trained employee over the headcount of the
-- directorates that reported gave 114% in July 2026 in the demo data (4,354
-- trained against 3,808: Place's 1,041 staff were missing from the headcount
-- only). On sound data this is the contract's figure exactly: every directorate
-- reports, and the sum over directorates is the count of distinct employees,
-- since each employee has one customer_service completion record.
WITH g AS (
    SELECT month,
           CASE WHEN GROUPING(directorate) = 0 THEN 'directorate=' || directorate ELSE '' END AS breakdown,
           sum(trained) AS trained, sum(headcount) AS headcount
    FROM int_staff_trained_monthly
    GROUP BY GROUPING SETS ((month), (month, directorate))
)
SELECT 'staff_trained_rate' AS kpi_id, strftime(month, '%Y-%m') AS period, month AS period_month, breakdown,
       trained / NULLIF(headcount, 0) AS value,
       trained::DOUBLE AS numerator,
       headcount::DOUBLE AS denominator
FROM g
WHERE breakdown IS NOT NULL AND headcount > 0
