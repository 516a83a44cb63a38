"""The strategy's action plan: a monthly status report of every action,
action_plan/action_plan_YYYY-MM.csv, from October 2023 (strategy adopted
20 Sep 2023).

Each action's story is set in calibration.ACTIONS (start, due, completed or
not); the status in each report follows from it: not started, on track, at risk
as the due date nears when it will be late, off track once overdue, complete.
A few on-track actions are reported at risk for a month or two at random.
"""

from __future__ import annotations

from tools.demo import calibration as C
from tools.demo.calendar import add_months, last_day, parse_month
from tools.demo.context import Context, DemoConfig, SourceResult

SOURCE = "action_plan"
HEADER = ["action_id", "outcome", "title", "owner_role", "due_on", "status", "reported_on"]


def status(ctx: Context, i: int, action: tuple, month: str) -> str:
    _, _, _, start, due, done = action
    if month < start:
        return "not_started"
    if done is not None and month >= done:
        return "complete"
    if month > due:
        return "off_track"
    if (done is None or done > due) and month >= add_months(due, -2):
        return "at_risk"

    def blip(m: str) -> float:
        y, mm = parse_month(m)
        return float(ctx.rng("action-plan", i, y * 12 + mm).random())

    if blip(month) < C.AT_RISK_BLIP_P or blip(add_months(month, -1)) < C.AT_RISK_BLIP_P / 2:
        return "at_risk"
    return "on_track"


def generate(config: DemoConfig) -> SourceResult:
    ctx = Context(config)
    reports = [m for m in config.months if m >= C.ACTION_PLAN_FROM]
    bad = None
    if config.faults and reports:
        rng = ctx.rng("action-plan-faults")
        bad = (reports[int(rng.integers(0, len(reports)))], int(rng.integers(0, len(C.ACTIONS))))
    for month in reports:
        reported_on = ctx.calendar.last_working_day(month).isoformat()
        rows = []
        for i, action in enumerate(C.ACTIONS):
            action_id, title, owner, _, due, _ = action
            rows.append([action_id, action_id[2], title, owner, last_day(due).isoformat(),
                         status(ctx, i, action, month), reported_on])
        name = f"action_plan_{month}.csv"
        if bad and bad[0] == month:  # someone typed the officer's name instead of the role
            rows[bad[1]][3] = "John Smith"
            ctx.faults.add(SOURCE, name, bad[1] + 1, "person_name_in_owner_role", "owner_role", "John Smith")
        ctx.delivery.rows_csv(SOURCE, name, HEADER, rows)
    return ctx.result()
