-- Calls with what the KPIs need. Elapsed times are taken in real seconds:
-- timestamps are Europe/London wall-clock time, so they are converted to
-- instants first (a wait across the October clock change is not an hour long).
/* incremental:
     partition: month
     inputs:
       stg_calls: 8 days before   # the repeat-call window: 168 hours, 169 on the wall clock across a clock change
*/
WITH calls AS (
    SELECT
        c.call_id,
        c.queue AS service,
        s.directorate,
        c.caller_hash,
        c.offered_at,
        c.outcome,
        c.first_contact_resolved,
        date_trunc('month', c.offered_at)::DATE AS month,
        c.offered_at::DATE AS call_date,
        epoch(timezone('Europe/London', c.offered_at))::BIGINT AS offered_epoch,
        CASE WHEN c.outcome = 'answered' THEN
            epoch(timezone('Europe/London', c.answered_at)) - epoch(timezone('Europe/London', c.offered_at))
        END AS wait_s
    FROM stg_calls c
    LEFT JOIN ref_services s ON s.service_code = c.queue
)
SELECT
    * EXCLUDE (offered_epoch),
    -- Repeat call: the same caller made another call in the 7 x 24 hours
    -- before this one (a call at the very same second does not count).
    CASE WHEN caller_hash IS NOT NULL THEN
        count(*) OVER (
            PARTITION BY caller_hash ORDER BY offered_epoch
            RANGE BETWEEN 604800 PRECEDING AND 1 PRECEDING
        ) > 0
    END AS is_repeat_7d
FROM calls
