-- Statistical disclosure control of KPI breakdowns: which rows are suppressed
-- and why (data/reference/disclosure_dimensions.csv says which dimensions and
-- the smallest base that may be published).
--
-- Rows under control: every survey figure, whole wave and breakdowns (data contract s4),
-- and every KPI's breakdowns by a dimension whose `controlled_for` is `all`
-- (ward and protected characteristics: complaints by ward, contacts by age).
-- The base is the unweighted base of a survey figure, the denominator of a
-- rate, the count itself of a count.
--
-- Primary: a base under min_base (10).
-- Secondary: when exactly one row of a set of siblings is suppressed, the
-- next smallest sibling is suppressed too, so the first cannot be worked out
-- as the total less the others. Siblings are the rows of one KPI, period and
-- dimension; and, where months are pooled by financial year (protected
-- characteristics on the equality page, every breakdown of the monthly
-- post-contact survey), the months of one KPI, breakdown and financial year.
-- Each pass can create a lone suppressed row in the other kind of sibling
-- set, so the two passes alternate (five passes; tests check the result).
WITH r AS (
    SELECT
        k.kpi_id, k.period, k.breakdown,
        split_part(k.breakdown, '=', 1) AS dimension,
        CASE WHEN k.kpi_id LIKE 'survey.%' THEN k.base_n
             WHEN k.denominator IS NULL THEN k.numerator
             ELSE k.denominator END AS base,
        CASE WHEN month(k.period_month) >= 4 THEN year(k.period_month) ELSE year(k.period_month) - 1 END AS fy,
        coalesce(d.min_base, 10) AS min_base,
        -- months pooled by financial year somewhere: protected characteristics
        -- (equality pages) and every figure of the post-contact survey (its
        -- monthly waves are pooled by year in fct_survey_gaps)
        coalesce(d.protected_characteristic, FALSE) OR coalesce(q.survey = 'transactional', FALSE) AS pooled_by_year
    FROM int_kpi_rows k
    LEFT JOIN ref_disclosure_dimensions d ON d.dimension = split_part(k.breakdown, '=', 1)
    LEFT JOIN ref_survey_questions q ON k.kpi_id = 'survey.' || q.question_id
    WHERE (k.breakdown <> '' AND (d.controlled_for = 'all' OR k.kpi_id LIKE 'survey.%'))
       OR (k.breakdown = '' AND k.kpi_id LIKE 'survey.%')  -- a whole survey wave of fewer than 10 too
),
p0 AS (
    SELECT *, base IS NULL OR base < min_base AS primary_suppressed, base IS NULL OR base < min_base AS s0 FROM r
),
-- pass over siblings within a period
p1 AS (
    SELECT * EXCLUDE (s0), s0 OR (
        count_if(s0) OVER (PARTITION BY kpi_id, period, dimension) = 1
        AND row_number() OVER (PARTITION BY kpi_id, period, dimension, s0 ORDER BY base, breakdown) = 1
    ) AS s1 FROM p0
),
-- pass over months within a financial year (protected characteristics)
p2 AS (
    SELECT * EXCLUDE (s1), s1 OR (pooled_by_year
        AND count_if(s1) OVER (PARTITION BY kpi_id, breakdown, fy) = 1
        AND row_number() OVER (PARTITION BY kpi_id, breakdown, fy, s1 ORDER BY base, period) = 1
    ) AS s2 FROM p1
),
p3 AS (
    SELECT * EXCLUDE (s2), s2 OR (
        count_if(s2) OVER (PARTITION BY kpi_id, period, dimension) = 1
        AND row_number() OVER (PARTITION BY kpi_id, period, dimension, s2 ORDER BY base, breakdown) = 1
    ) AS s3 FROM p2
),
p4 AS (
    SELECT * EXCLUDE (s3), s3 OR (pooled_by_year
        AND count_if(s3) OVER (PARTITION BY kpi_id, breakdown, fy) = 1
        AND row_number() OVER (PARTITION BY kpi_id, breakdown, fy, s3 ORDER BY base, period) = 1
    ) AS s4 FROM p3
),
p5 AS (
    SELECT * EXCLUDE (s4), s4 OR (
        count_if(s4) OVER (PARTITION BY kpi_id, period, dimension) = 1
        AND row_number() OVER (PARTITION BY kpi_id, period, dimension, s4 ORDER BY base, breakdown) = 1
    ) AS suppressed FROM p4
)
SELECT kpi_id, period, breakdown, dimension, fy AS financial_year_start, base, suppressed,
       CASE WHEN primary_suppressed THEN 'primary' WHEN suppressed THEN 'secondary' END AS suppression
FROM p5
