-- Each action as at the latest status report: overdue when its due date has
-- passed at that report and it is not complete.
WITH latest AS (
    SELECT * FROM stg_action_plan
    QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY reported_on DESC) = 1
),
changes AS (
    SELECT action_id, max(reported_on) FILTER (WHERE status_changed) AS status_since
    FROM (
        SELECT action_id, reported_on,
               status IS DISTINCT FROM lag(status) OVER (PARTITION BY action_id ORDER BY reported_on) AS status_changed
        FROM stg_action_plan
    ) GROUP BY action_id
),
as_at AS (SELECT max(reported_on) AS report_date FROM stg_action_plan)
SELECT l.action_id, l.outcome, l.title, l.owner_role, l.due_on, l.status, l.reported_on AS last_reported_on,
       c.status_since,
       l.status <> 'complete' AND l.due_on < a.report_date AS is_overdue,
       a.report_date AS plan_as_at
FROM latest l JOIN changes c USING (action_id) CROSS JOIN as_at a
ORDER BY l.outcome, l.action_id
