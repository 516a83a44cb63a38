-- How far each KPI source's deliveries reach (data contract s2), read from the
-- landed rows, and on which days the source records anything at all:
--   every_day     records any day (online contacts, surveys)
--   working_days  records Monday to Friday, not bank holidays (the contact
--                 centre, complaint handling, the learning system)
--   monthly       one delivery a month (the finance ledger, HR headcount)
-- Sources that no KPI is computed from (action_plan, kpi_commentary) are not here.
SELECT 'calls' AS source, 'working_days' AS records_on,
       min(offered_at)::DATE AS first_day, max(offered_at)::DATE AS last_day FROM land_calls
UNION ALL SELECT 'contacts', 'every_day', min(started_at)::DATE, max(started_at)::DATE FROM land_contacts
UNION ALL SELECT 'complaints', 'working_days', min(received_on), greatest(max(received_on), max(responded_on))
    FROM land_complaints
UNION ALL SELECT 'survey_responses', 'every_day', min(responded_on), max(responded_on) FROM land_survey_responses
UNION ALL SELECT 'staff_training', 'working_days', min(completed_on), max(completed_on) FROM land_staff_training
UNION ALL SELECT 'workforce', 'monthly', min(month), last_day(max(month)) FROM land_workforce
UNION ALL SELECT 'channel_costs', 'monthly', min(month), last_day(max(month)) FROM land_channel_costs
