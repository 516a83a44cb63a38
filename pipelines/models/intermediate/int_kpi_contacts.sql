-- Channel KPIs by month (data contract s4): contacts, digital take-up, online
-- self-service and completion, hub visits and assisted digital. Breakdowns by
-- channel, service, directorate, age band and site where they mean something.
-- By age band the shares are among contacts that recorded an age (calls do not).
WITH g AS (
    SELECT
        month,
        CASE WHEN GROUPING(channel) = 0 THEN 'channel=' || channel
             WHEN GROUPING(service) = 0 THEN 'service=' || service
             WHEN GROUPING(directorate) = 0 THEN 'directorate=' || directorate
             WHEN GROUPING(age_band) = 0 THEN 'age_band=' || age_band
             WHEN GROUPING(site) = 0 THEN 'site=' || site
             ELSE '' END AS breakdown,
        GROUPING(channel) = 0 AS by_channel,
        GROUPING(site) = 0 AS by_site,
        sum(contacts) AS contacts,
        sum(contacts) FILTER (WHERE is_digital) AS digital,
        sum(contacts) FILTER (WHERE channel = 'online') AS online_completed,
        sum(rows_started) FILTER (WHERE channel = 'online') AS online_started,
        sum(contacts) FILTER (WHERE channel = 'face_to_face') AS face_to_face,
        sum(rows_assisted) FILTER (WHERE channel = 'face_to_face') AS assisted
    FROM int_contacts_monthly
    GROUP BY GROUPING SETS ((month), (month, channel), (month, service), (month, directorate),
                            (month, age_band), (month, site))
),
k AS (
    SELECT 'contacts_total' AS kpi_id, month, breakdown, contacts::DOUBLE AS numerator, NULL::DOUBLE AS denominator,
           contacts::DOUBLE AS value
    FROM g WHERE NOT by_site
    UNION ALL SELECT 'digital_share', month, breakdown, coalesce(digital, 0), contacts, coalesce(digital, 0) / NULLIF(contacts, 0)
    FROM g WHERE NOT by_channel AND NOT by_site
    UNION ALL SELECT 'self_service_share', month, breakdown, coalesce(online_completed, 0), contacts,
           coalesce(online_completed, 0) / NULLIF(contacts, 0)
    FROM g WHERE NOT by_channel AND NOT by_site
    UNION ALL SELECT 'online_completion_rate', month, breakdown, online_completed, online_started,
           online_completed / NULLIF(online_started, 0)
    FROM g WHERE NOT by_channel AND NOT by_site
    UNION ALL SELECT 'hub_visits', month, breakdown, face_to_face, NULL, face_to_face
    FROM g WHERE (breakdown = '' OR by_site) AND face_to_face IS NOT NULL
    UNION ALL SELECT 'assisted_digital_rate', month, breakdown, assisted, face_to_face, assisted / NULLIF(face_to_face, 0)
    FROM g WHERE (breakdown = '' OR by_site)
)
SELECT kpi_id, strftime(month, '%Y-%m') AS period, month AS period_month, breakdown,
       value, numerator, denominator
FROM k
WHERE breakdown IS NOT NULL AND value IS NOT NULL
