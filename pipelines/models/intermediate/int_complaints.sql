-- Complaint stages with the working days each took and whether that was on
-- time (data contract s4: working days after received_on up to and including
-- responded_on, at most the stage's allowance).
SELECT
    c.case_ref, c.stage, c.received_on, c.responded_on, c.directorate, c.service, c.category,
    c.outcome, c.remedy_gbp, c.ward_code,
    date_trunc('month', c.received_on)::DATE AS month_received,
    date_trunc('month', c.responded_on)::DATE AS month_responded,
    t.working_days_allowed,
    resp.wd_index - recv.wd_index AS working_days_taken,
    CASE WHEN c.responded_on IS NOT NULL AND t.working_days_allowed IS NOT NULL
         THEN resp.wd_index - recv.wd_index <= t.working_days_allowed END AS on_time,
    c.outcome IN ('upheld', 'partly_upheld') AS upheld
FROM stg_complaints c
LEFT JOIN int_calendar recv ON recv.day = c.received_on
LEFT JOIN int_calendar resp ON resp.day = c.responded_on
LEFT JOIN ref_complaint_timescales t ON t.stage = c.stage
