"""Owners' commentary: what a KPI's owner says about a month the measure was off
target, kpi_commentary/commentary_YYYY-MM.csv (every fourth month's as .xlsx),
written on the month's last working day.

Which months are off target follows from the calibration: the trend each
generator draws from (calibration.ANSWER_RATE, CS_TRAINED...) against the target
in force (data/reference/kpi_catalogue.yaml). Owners write about the latest few
of those months and some earlier ones, so the dashboard also shows off-target
months with no commentary. One note is re-delivered in a later file with new
text (the later file wins), and the fault list gains notes that must never be
published: an e-mail address, a phone number, a resident's name, markup, a
person's name as the owner's role.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.demo import calibration as C
from tools.demo.calendar import trend
from tools.demo.context import Context, DemoConfig, SourceResult

SOURCE = "kpi_commentary"
HEADER = ["kpi_id", "period", "owner_role", "text", "written_on"]
CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "reference" / "kpi_catalogue.yaml"
LATEST_ALWAYS = 3       # the latest off-target months of each story always have a note
EARLIER_SHARE = 0.35    # and about a third of the earlier ones

# kpi_id -> (the calibrated trend and its adjustment, what the owner says: one is chosen a month)
STORIES = {
    "call_answer_rate": ((C.ANSWER_RATE, -0.01), [
        "Demand ran above the staffing plan on Mondays and after bank holidays. Two advisers have been recruited "
        "and start next month; a call-back option on the council tax queue goes live in the meantime.",
        "Sickness absence in the contact centre was higher than usual. Overtime has been agreed for peak days "
        "and the housing repairs queue now overflows to trained advisers on other teams.",
    ]),
    "staff_trained_rate": ((C.CS_TRAINED, 0.0), [
        "Completions are behind plan in Housing and Regeneration, whose staff joined when services came back "
        "in-house. An extra e-learning cohort starts next month and directors get a monthly list of teams "
        "still to complete.",
        "Frontline teams have completed the course; back-office teams are behind. Heads of service have been "
        "asked to book the remaining staff onto the next two sessions.",
    ]),
    # published on-time rates run ~3 points below the drawn share (late answers bunch in busy months)
    "stage1_on_time_rate": ((C.STAGE1_ON_TIME, -0.03), [
        "Complaints about housing repairs take longest to answer because the repair itself has to be checked. "
        "A weekly review of cases nearing their deadline started this month.",
        "Two complaint officers were on leave in the same fortnight. Cases were re-allocated and the service now "
        "keeps cover for each team's inbox.",
    ]),
    "repeat_call_rate_7d": ((C.REPEAT_RATE, 0.0), [
        "Residents chasing council tax bills call back within the week. The bill letter has been rewritten and "
        "the online account now shows the payment plan, so fewer need to ring again.",
    ]),
}


# a month with an event of its own (data/reference/events.csv) gets a note about it
EVENT_TEXTS = {
    ("call_answer_rate", C.TELEPHONY_GO_LIVE[:7]):
        "Answer rates fell during the move to the new telephony platform while advisers learnt the system. "
        "Floor-walkers support every shift and the supplier is fixing the queue announcements.",
}


def _targets() -> dict[str, tuple[str, list[tuple[str, float]], float]]:
    with open(CATALOGUE, encoding="utf-8") as f:
        kpis = {k["id"]: k for k in yaml.safe_load(f)["kpis"]}
    return {kid: (kpis[kid]["polarity"], sorted((str(t["from"]), float(t["value"])) for t in kpis[kid]["targets"]),
                  float(kpis[kid]["amber_band"]), kpis[kid]["owner"]) for kid in STORIES}


def _target_in(month: str, targets: list[tuple[str, float]]) -> float | None:
    inforce = [v for start, v in targets if start <= month]
    return inforce[-1] if inforce else None


def off_target_months(config: DemoConfig) -> dict[str, list[str]]:
    """kpi_id -> the months of the range its calibrated trend is on the wrong side of the
    target (so the published figure is very likely off or near target too)."""
    out = {}
    for kid, (polarity, targets, band, _owner) in _targets().items():  # noqa: B007
        (anchors, shift), _ = STORIES[kid]
        months = []
        for month in config.months:
            target = _target_in(month, targets)
            if target is None:
                continue
            value = float(trend(anchors, f"{month}-15")) + shift
            if kid == "call_answer_rate" and month == C.TELEPHONY_GO_LIVE[:7]:
                value += C.TELEPHONY_DIP[0][0] / 2  # the go-live month's dip
            miss = (target - value) if polarity == "higher" else (value - target)
            if miss > 0:
                months.append(month)
        out[kid] = months
    return out


def generate(config: DemoConfig) -> SourceResult:
    ctx = Context(config)
    rng = ctx.rng("kpi-commentary")
    owners = {kid: v[3] for kid, v in _targets().items()}
    notes: dict[str, list[list]] = {}
    for kid, months in off_target_months(config).items():
        texts = STORIES[kid][1]
        for i, month in enumerate(months):
            chosen = i >= len(months) - LATEST_ALWAYS or float(rng.random()) < EARLIER_SHARE
            if not chosen:
                continue
            text = texts[int(rng.integers(0, len(texts)))]
            text = EVENT_TEXTS.get((kid, month), text)
            written_on = ctx.calendar.last_working_day(month).isoformat()
            notes.setdefault(month, []).append([kid, month, owners[kid], text, written_on])
    months = sorted(notes)
    if config.faults and len(months) >= 2:
        _plant(ctx, notes, months, rng)
    for n, month in enumerate(months):
        name = f"commentary_{month}"
        if n % 4 == 3:
            ctx.delivery.rows_xlsx(SOURCE, f"{name}.xlsx", HEADER, notes[month])
        else:
            ctx.delivery.rows_csv(SOURCE, f"{name}.csv", HEADER, notes[month])
    if config.faults and months:
        # the owner rewrites the latest note a few days on: a later file replaces it
        month = months[-1]
        first = notes[month][0]
        revised = [first[0], first[1], first[2], first[3] + " Update: the first results of this work are "
                   "expected in next month's figures.", first[4]]
        name = f"commentary_{month}_revised.csv"
        ctx.delivery.rows_csv(SOURCE, name, HEADER, [revised])
        ctx.faults.add(SOURCE, name, 1, "commentary_correction", "text", revised[3])
    return ctx.result()


def _plant(ctx: Context, notes: dict[str, list[list]], months: list[str], rng) -> None:
    """Notes that break the source's rules, in an earlier month's file: each must be held back."""
    month = months[int(rng.integers(0, len(months) - 1))]
    file = f"commentary_{month}.{'xlsx' if months.index(month) % 4 == 3 else 'csv'}"
    role = "Head of Customer Service"
    written_on = ctx.calendar.last_working_day(month).isoformat()
    bad = [
        ("email_in_commentary", "text", "call_abandon_rate",
         "Residents can write to the service manager at j.okafor@towerhamlets.gov.uk about their call."),
        ("phone_number_in_commentary", "text", "avg_speed_of_answer_s",
         "Waits were long; a resident who called 07700 900461 waited forty minutes and has been called back."),
        ("person_name_in_commentary", "text", "first_contact_resolution_rate",
         "Mrs Begum's repair needed three calls before it was booked; the case is being reviewed."),
        ("markup_in_commentary", "text", "calls_answered_60s_rate",
         "<b>Improving</b> after the <script>alert(1)</script> new rota."),
        ("person_name_in_owner_role", "owner_role", "calls_offered", "Sarah Jones"),
    ]
    for kind, column, kid, value in bad:
        row = [kid, month, role, "Demand was higher than forecast; the rota has been changed.", written_on]
        row[HEADER.index(column)] = value
        notes[month].append(row)
        ctx.faults.add(SOURCE, file, len(notes[month]), kind, column, value)
