-- Per KPI source and calendar month: do the source's records cover the whole
-- month? (what makes a KPI's figure provisional: fct_kpi_provisional)
--   a daily source covers a month once its deliveries reach the month's last
--   day (its last working day, for a source that records on working days
--   only: int_source_extent) or go beyond it: "training records end on the
--   13th" leaves that month uncovered until later records arrive;
--   the finance ledger covers a month when every channel that had contacts in
--   it has a cost; HR covers a month it delivered a headcount for.
-- Months before a source's first record are not listed.
WITH last_working_day AS (
    SELECT month, max(day) FILTER (WHERE is_working_day) AS day FROM int_calendar GROUP BY month
),
months AS (
    SELECT DISTINCT month FROM int_calendar
    WHERE day BETWEEN (SELECT min(first_day) FROM int_source_extent) AND (SELECT max(last_day) FROM int_source_extent)
),
daily AS (
    SELECT 'calls' AS source, date_trunc('month', offered_at)::DATE AS month, count(*) AS records,
           min(offered_at)::DATE AS first_record_on, max(offered_at)::DATE AS last_record_on
    FROM land_calls GROUP BY ALL
    UNION ALL SELECT 'contacts', date_trunc('month', started_at)::DATE, count(*), min(started_at)::DATE,
           max(started_at)::DATE FROM land_contacts GROUP BY ALL
    UNION ALL SELECT 'complaints', date_trunc('month', received_on)::DATE, count(*), min(received_on),
           max(received_on) FROM land_complaints GROUP BY ALL
    UNION ALL SELECT 'survey_responses', date_trunc('month', responded_on)::DATE, count(*), min(responded_on),
           max(responded_on) FROM land_survey_responses GROUP BY ALL
    UNION ALL SELECT 'staff_training', date_trunc('month', completed_on)::DATE, count(*), min(completed_on),
           max(completed_on) FROM land_staff_training GROUP BY ALL
    UNION ALL SELECT 'workforce', month, count(*), month, last_day(month) FROM land_workforce GROUP BY ALL
    UNION ALL SELECT 'channel_costs', month, count(*), month, last_day(month) FROM land_channel_costs GROUP BY ALL
),
uncosted AS (  -- channels with contacts in a month and no cost in the ledger for it
    SELECT v.month, string_agg(v.channel, ', ' ORDER BY v.channel) AS channels
    FROM (SELECT DISTINCT month, channel FROM int_contacts_monthly WHERE contacts > 0) v
    ANTI JOIN (SELECT DISTINCT month, channel FROM land_channel_costs) c USING (month, channel)
    GROUP BY v.month
),
judged AS (
    SELECT e.source, e.records_on, m.month,
           coalesce(d.records, 0) AS records, d.first_record_on, d.last_record_on,
           e.last_day AS source_last_record_on,
           CASE WHEN e.records_on = 'working_days' THEN w.day ELSE last_day(m.month) END AS expected_through,
           u.channels AS channels_without_cost
    FROM int_source_extent e
    JOIN months m ON m.month >= date_trunc('month', e.first_day)
    LEFT JOIN daily d ON d.source = e.source AND d.month = m.month
    LEFT JOIN last_working_day w ON w.month = m.month
    LEFT JOIN uncosted u ON e.source = 'channel_costs' AND u.month = m.month
)
SELECT source, strftime(month, '%Y-%m') AS period, month AS month_start, last_day(month) AS month_end, records_on,
       records, first_record_on, last_record_on, source_last_record_on, expected_through,
       CASE WHEN records_on = 'monthly' THEN records > 0 AND channels_without_cost IS NULL
            ELSE source_last_record_on >= expected_through END AS covers_whole_month,
       channels_without_cost
FROM judged

