-- Whether each published KPI figure is provisional: one row per KPI and period
-- (it applies to every breakdown of that period). A figure is provisional when
-- any of the sources it is computed from (kpi_catalogue.yaml `sources`) does
-- not cover the whole of a month it depends on (int_source_coverage), e.g. the
-- training records end on the 13th of the month shown: the figure may change
-- when the rest of the month arrives. `incomplete_sources` names them and
-- `records_end_on` is the earliest day their records reach.
WITH judged AS (
    SELECT m.kpi_id, m.period, m.source, m.month,
           coalesce(c.covers_whole_month, FALSE) AS covered,
           c.source_last_record_on
    FROM int_kpi_months m
    LEFT JOIN int_source_coverage c ON c.source = m.source AND c.month_start = m.month
)
SELECT kpi_id, period,
       bool_or(NOT covered) AS is_provisional,
       coalesce(list_sort(list_distinct(list(source) FILTER (WHERE NOT covered))), []::VARCHAR[]) AS incomplete_sources,
       min(source_last_record_on) FILTER (WHERE NOT covered) AS records_end_on
FROM judged
GROUP BY kpi_id, period
ORDER BY kpi_id, period
