-- Every status report of every action.
SELECT action_id, outcome, title, owner_role, due_on, status, reported_on,
       strftime(reported_on, '%Y-%m') AS period
FROM stg_action_plan ORDER BY action_id, reported_on
