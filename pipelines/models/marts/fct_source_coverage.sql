-- Per KPI source and calendar month, whether the source's records cover the
-- whole month (how it is judged: intermediate/int_source_coverage.sql): what
-- makes a KPI's figure provisional.
SELECT * FROM int_source_coverage ORDER BY source, period
