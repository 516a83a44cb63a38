-- Contact-centre KPIs by month of offered_at (data contract s4), overall and
-- by service (queue) and directorate.
/* incremental:
     partition: period_month
     inputs:
       int_calls: same month
*/
WITH g AS (
    SELECT
        month,
        CASE WHEN GROUPING(service) = 0 THEN 'service=' || service
             WHEN GROUPING(directorate) = 0 THEN 'directorate=' || directorate
             ELSE '' END AS breakdown,
        count(*) AS offered,
        count_if(outcome = 'answered') AS answered,
        count_if(outcome = 'abandoned') AS abandoned,
        sum(wait_s) FILTER (WHERE outcome = 'answered') AS wait_sum_s,
        count_if(outcome = 'answered' AND wait_s <= 60) AS answered_60s,
        count_if(outcome = 'answered' AND first_contact_resolved IS NOT NULL) AS fcr_recorded,
        count_if(outcome = 'answered' AND first_contact_resolved) AS fcr_yes,
        count_if(caller_hash IS NOT NULL) AS with_caller,
        count_if(is_repeat_7d) AS repeats
    FROM int_calls
    GROUP BY GROUPING SETS ((month), (month, service), (month, directorate))
),
k AS (
    SELECT 'calls_offered' AS kpi_id, month, breakdown, offered::DOUBLE AS numerator, NULL::DOUBLE AS denominator, offered::DOUBLE AS value FROM g
    UNION ALL SELECT 'call_answer_rate', month, breakdown, answered, offered, answered / NULLIF(offered, 0) FROM g
    UNION ALL SELECT 'call_abandon_rate', month, breakdown, abandoned, offered, abandoned / NULLIF(offered, 0) FROM g
    UNION ALL SELECT 'avg_speed_of_answer_s', month, breakdown, wait_sum_s, answered, wait_sum_s / NULLIF(answered, 0) FROM g
    UNION ALL SELECT 'calls_answered_60s_rate', month, breakdown, answered_60s, offered, answered_60s / NULLIF(offered, 0) FROM g
    UNION ALL SELECT 'first_contact_resolution_rate', month, breakdown, fcr_yes, fcr_recorded, fcr_yes / NULLIF(fcr_recorded, 0) FROM g
    UNION ALL SELECT 'repeat_call_rate_7d', month, breakdown, repeats, with_caller, repeats / NULLIF(with_caller, 0) FROM g
)
SELECT kpi_id, strftime(month, '%Y-%m') AS period, month AS period_month, breakdown,
       value, numerator, denominator
FROM k
WHERE breakdown IS NOT NULL AND value IS NOT NULL
