-- Whether the data show a shift at each event that may rebase a KPI's SPC
-- limits (events.csv, column rebase_kpis: KPI ids separated by |, or `all`).
--
-- Making Data Count: recalculate the limits only when the process has changed
-- for a known reason and the data show it. Here the data show it when 7 months
-- in a row all lie on the same side of the mean of the (up to) 20 months just
-- before the event's month (at least 12 of them), the run starting in the
-- event's month or one of the next two (a change often beds in: the new phone
-- system's first weeks were worse before they were better). The limits are
-- recalculated from the run's first month.
-- The months before are counted from where the current segment starts, which
-- depends on which earlier events were accepted: so each event is tested from
-- every place its segment could start (the series' start, boundary NULL, or
-- one of an earlier candidate's first three months); the rebases model follows
-- the chain of accepted ones.
WITH listed AS (
    SELECT date_trunc('month', event_date)::DATE AS rebase_month, label,
           trim(unnest(string_split(coalesce(rebase_kpis, ''), '|'))) AS listed_kpi
    FROM ref_events
),
series AS (SELECT DISTINCT kpi_id, breakdown FROM int_kpi_spc_points),
candidates AS (
    SELECT s.kpi_id, s.breakdown, l.rebase_month, string_agg(l.label, '; ' ORDER BY l.label) AS event_label
    FROM series s JOIN listed l ON l.listed_kpi IN (s.kpi_id, 'all')
    GROUP BY ALL
),
first_months AS (
    -- where a segment rebased at a candidate may start: one of its first three months
    SELECT c.kpi_id, c.breakdown, c.rebase_month AS event_month, p.period_month,
           row_number() OVER (PARTITION BY c.kpi_id, c.breakdown, c.rebase_month ORDER BY p.period_month) AS months_on
    FROM candidates c
    JOIN int_kpi_spc_points p
      ON p.kpi_id = c.kpi_id AND p.breakdown = c.breakdown AND p.period_month >= c.rebase_month
    QUALIFY months_on <= 3
),
boundaries AS (
    SELECT kpi_id, breakdown, rebase_month, NULL::DATE AS boundary FROM candidates
    UNION ALL
    SELECT c.kpi_id, c.breakdown, c.rebase_month, f.period_month
    FROM candidates c
    JOIN first_months f
      ON f.kpi_id = c.kpi_id AND f.breakdown = c.breakdown AND f.event_month < c.rebase_month
     AND f.period_month < c.rebase_month
),
before_ranked AS (
    SELECT b.kpi_id, b.breakdown, b.rebase_month, b.boundary, p.value,
           row_number() OVER (PARTITION BY b.kpi_id, b.breakdown, b.rebase_month, b.boundary
                              ORDER BY p.period_month DESC) AS months_back
    FROM boundaries b
    JOIN int_kpi_spc_points p
      ON p.kpi_id = b.kpi_id AND p.breakdown = b.breakdown AND p.period_month < b.rebase_month
     AND (b.boundary IS NULL OR p.period_month >= b.boundary)
),
before AS (
    SELECT kpi_id, breakdown, rebase_month, boundary, avg(value) AS mean_before, count(*) AS months_before
    FROM before_ranked WHERE months_back <= 20
    GROUP BY ALL
),
after_ranked AS (
    SELECT c.kpi_id, c.breakdown, c.rebase_month AS event_month, p.period_month, p.value,
           row_number() OVER (PARTITION BY c.kpi_id, c.breakdown, c.rebase_month ORDER BY p.period_month) AS months_on
    FROM candidates c
    JOIN int_kpi_spc_points p
      ON p.kpi_id = c.kpi_id AND p.breakdown = c.breakdown AND p.period_month >= c.rebase_month
),
runs AS (
    -- the 7 months starting at each of the event's first three months
    SELECT s.kpi_id, s.breakdown, s.event_month, s.months_on AS run_start, s.period_month AS run_month,
           count(*) AS run_months, min(r.value) AS lowest, max(r.value) AS highest, max(r.period_month) AS run_end
    FROM after_ranked s
    JOIN after_ranked r
      ON r.kpi_id = s.kpi_id AND r.breakdown = s.breakdown AND r.event_month = s.event_month
     AND r.months_on BETWEEN s.months_on AND s.months_on + 6
    WHERE s.months_on <= 3
    GROUP BY ALL
),
tested AS (
    SELECT b.kpi_id, b.breakdown, b.rebase_month AS event_month, b.boundary, c.event_label,
           bf.mean_before, coalesce(bf.months_before, 0) AS months_before,
           r.run_start, r.run_month, r.run_end,
           coalesce(bf.months_before >= 12 AND r.run_months = 7
                    AND (r.lowest > bf.mean_before OR r.highest < bf.mean_before), FALSE) AS shift_shown
    FROM boundaries b
    JOIN candidates c USING (kpi_id, breakdown, rebase_month)
    LEFT JOIN before bf ON bf.kpi_id = b.kpi_id AND bf.breakdown = b.breakdown AND bf.rebase_month = b.rebase_month
                       AND bf.boundary IS NOT DISTINCT FROM b.boundary
    LEFT JOIN runs r ON r.kpi_id = b.kpi_id AND r.breakdown = b.breakdown AND r.event_month = b.rebase_month
)
-- per event and boundary: the earliest run that shows the shift (or, when none
-- does, a row saying so)
SELECT kpi_id, breakdown, event_month, boundary, event_label, mean_before, months_before,
       CASE WHEN shift_shown THEN run_month END AS rebase_month,
       CASE WHEN shift_shown THEN run_end END AS confirmed_month,
       shift_shown
FROM tested
QUALIFY row_number() OVER (PARTITION BY kpi_id, breakdown, event_month, boundary
                           ORDER BY shift_shown DESC, run_start NULLS LAST) = 1
