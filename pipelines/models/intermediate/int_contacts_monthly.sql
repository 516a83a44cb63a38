-- Contacts in every channel by month, at the grain the channel-shift views and
-- KPIs need. Calls are the phone channel. "Contacts" (data contract s4) counts
-- every call and every other contact, except online transactions that were
-- not completed; `rows_started` keeps those for the online completion rate.
/* incremental:
     partition: month
     inputs:
       int_calls: same month
       stg_contacts: same month
*/
WITH all_channels AS (
    SELECT month, 'phone' AS channel, service, directorate, NULL::VARCHAR AS age_band, NULL::VARCHAR AS site,
           TRUE AS counted, TRUE AS completed, FALSE AS assisted
    FROM int_calls
    UNION ALL
    SELECT date_trunc('month', c.started_at)::DATE, c.channel, c.service, s.directorate, c.age_band, c.site,
           c.channel <> 'online' OR c.completed, c.completed, coalesce(c.assisted, FALSE)
    FROM stg_contacts c
    LEFT JOIN ref_services s ON s.service_code = c.service
)
SELECT
    a.month, a.channel, ch.channel_class, ch.is_digital, a.service, a.directorate, a.age_band, a.site,
    count_if(a.counted) AS contacts,
    count(*) AS rows_started,
    count_if(a.completed) AS rows_completed,
    count_if(a.assisted) AS rows_assisted
FROM all_channels a
JOIN ref_channels ch ON ch.channel = a.channel
GROUP BY ALL
