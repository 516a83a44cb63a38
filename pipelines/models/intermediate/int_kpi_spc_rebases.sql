-- The events at which a KPI's SPC limits are recalculated: each candidate
-- (int_kpi_spc_rebase_tests), in date order, tested from where the segment
-- before it starts given the events accepted before it. `rebase_month` is the
-- first month of the run that showed the shift (the event's month or one of the
-- next two); `confirmed_month` its 7th month, when the shift became visible: a
-- card as at an earlier month still judges those months against the old limits.
WITH RECURSIVE ordered AS (
    SELECT kpi_id, breakdown, event_month,
           row_number() OVER (PARTITION BY kpi_id, breakdown ORDER BY event_month) AS step
    FROM (SELECT DISTINCT kpi_id, breakdown, event_month FROM int_kpi_spc_rebase_tests)
),
chain AS (
    SELECT kpi_id, breakdown, 0::BIGINT AS step, NULL::DATE AS boundary, NULL::DATE AS tested_from,
           NULL::DATE AS accepted
    FROM (SELECT DISTINCT kpi_id, breakdown FROM ordered)
    UNION ALL
    SELECT o.kpi_id, o.breakdown, o.step,
           CASE WHEN t.shift_shown THEN t.rebase_month ELSE ch.boundary END,
           ch.boundary,
           CASE WHEN t.shift_shown THEN o.event_month END
    FROM chain ch
    JOIN ordered o ON o.kpi_id = ch.kpi_id AND o.breakdown = ch.breakdown AND o.step = ch.step + 1
    JOIN int_kpi_spc_rebase_tests t
      ON t.kpi_id = o.kpi_id AND t.breakdown = o.breakdown AND t.event_month = o.event_month
     AND t.boundary IS NOT DISTINCT FROM ch.boundary
)
SELECT t.kpi_id, t.breakdown, t.event_month, t.rebase_month, t.event_label, t.mean_before, t.months_before,
       t.confirmed_month
FROM chain ch
JOIN int_kpi_spc_rebase_tests t
  ON t.kpi_id = ch.kpi_id AND t.breakdown = ch.breakdown AND t.event_month = ch.accepted
 AND t.boundary IS NOT DISTINCT FROM ch.tested_from
