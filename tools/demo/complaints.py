"""Complaints case management: one row per complaint per stage.

Cases are small in number (~2,000 a year), so the whole lifecycle of every case
is simulated first (stage 1, escalation to stage 2, the Ombudsman), then
delivered the way a case system's monthly extract does: complaints_YYYY-MM.csv
holds every stage row received or updated that month. A case still open at
month end appears with empty responded_on/outcome and again, completed, in the
month it is answered; the later file corrects the earlier row (key case_ref +
stage). Cases not answered by the end of the data stay open.

Response times are counted in working days from receipt, exactly as the KPI
rule does (calendar.WorkCalendar.add_working_days).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from tools.demo import calibration as C
from tools.demo.calendar import first_day, last_day, month_label, parse_month, trend
from tools.demo.context import Context, DemoConfig, SourceResult

SOURCE = "complaints"
HEADER = ["case_ref", "stage", "received_on", "responded_on", "directorate", "service", "category", "outcome",
          "remedy_gbp", "ward_code"]
STAGE_ORDER = {"1": 0, "2": 1, "ombudsman": 2}


def _working_days_to_answer(rng, on_time_p: float, allowed: int) -> int:
    """Working days from receipt to answer: on time mostly near the deadline, late with a tail."""
    if rng.random() < on_time_p:
        w = np.arange(1, allowed + 1, dtype=float) ** 1.6
        return int(rng.choice(np.arange(1, allowed + 1), p=w / w.sum()))
    return int(min(allowed + 1 + rng.geometric(1 / (allowed * 0.6)), allowed * 5))


def _remedy(rng, stage: str, outcome: str) -> float | None:
    if outcome in ("upheld", "partly_upheld") and rng.random() < C.REMEDY_P[stage]:
        return float(rng.choice(C.REMEDY_AMOUNTS[stage]))
    return None


def simulate_cases(ctx: Context) -> list[dict]:
    """Every stage row of every case received in the range, with its eventual answer."""
    cal = ctx.calendar
    services = list(C.COMPLAINT_SERVICE_MIX)
    service_p = np.array([C.COMPLAINT_SERVICE_MIX[s] for s in services])
    service_p /= service_p.sum()
    wards = ctx.ref.ward_codes
    ward_p = np.array(ctx.ref.ward_population) / sum(ctx.ref.ward_population)
    season = np.array(C.COMPLAINT_SEASON) / np.mean(C.COMPLAINT_SEASON)
    months = ctx.config.months
    # case numbers run per calendar year: start the first year where earlier months would have left it
    y0, m0 = parse_month(months[0])
    counters = defaultdict(int)
    counters[y0] = int(round(trend(C.STAGE1_PER_MONTH, months[0]) * ctx.scale * (m0 - 1)))
    rows = []
    for month in months:
        y, m = parse_month(month)
        rng = ctx.rng("complaints", y * 12 + m)
        lam = trend(C.STAGE1_PER_MONTH, first_day(month)) * season[m - 1] * ctx.scale
        n = int(rng.poisson(lam))
        day_list = [first_day(month) + dt.timedelta(days=i) for i in range(last_day(month).day)]
        w = np.array([1.0 if cal.is_working_day(d) else C.COMPLAINT_WEEKEND_WEIGHT for d in day_list])
        received = sorted(day_list[i] for i in rng.choice(len(day_list), size=n, p=w / w.sum()))
        for r1 in received:
            counters[y] += 1
            ref = f"CMP-{y}-{counters[y]:06d}"
            service = services[rng.choice(len(services), p=service_p)]
            cats = C.COMPLAINT_CATEGORIES.get(service, []) + C.COMPLAINT_CATEGORIES["_common"]
            cw = np.array([3.0] * (len(cats) - 3) + [1.0, 1.2, 1.4])
            category = cats[rng.choice(len(cats), p=cw / cw.sum())]
            ward = wards[rng.choice(len(wards), p=ward_p)] if rng.random() < C.WARD_RECORDED else None
            base = {"case_ref": ref, "directorate": ctx.ref.services[service], "service": service,
                    "category": category, "ward_code": ward}
            # stage 1
            n1 = _working_days_to_answer(rng, trend(C.STAGE1_ON_TIME, r1), C.STAGE1_DAYS)
            a1 = _add_working_days(cal, r1, n1)
            o1 = C.OUTCOMES[rng.choice(4, p=C.STAGE1_OUTCOME_P)]
            rows.append({**base, "stage": "1", "received_on": r1, "responded_on": a1, "outcome": o1,
                         "remedy_gbp": _remedy(rng, "1", o1)})
            if rng.random() >= C.ESCALATE_P[o1]:
                continue
            # stage 2: the resident asks for a review after the stage 1 answer
            r2 = a1 + dt.timedelta(days=int(rng.integers(*C.STAGE2_AFTER_DAYS)))
            n2 = _working_days_to_answer(rng, trend(C.STAGE2_ON_TIME, r2), C.STAGE2_DAYS)
            a2 = _add_working_days(cal, r2, n2)
            o2 = C.OUTCOMES[rng.choice(4, p=C.STAGE2_OUTCOME_P)]
            rows.append({**base, "stage": "2", "received_on": r2, "responded_on": a2, "outcome": o2,
                         "remedy_gbp": _remedy(rng, "2", o2)})
            if o2 == "withdrawn" or rng.random() >= C.OMBUDSMAN_P:
                continue
            # the Ombudsman: months later, upheld at the rate the LGSCO reported for that year
            r3 = a2 + dt.timedelta(days=int(rng.integers(*C.OMBUDSMAN_AFTER_DAYS)))
            a3 = cal.next_working_day(r3 + dt.timedelta(days=int(rng.integers(*C.OMBUDSMAN_DECISION_DAYS))))
            fy = a3.year if a3.month >= 4 else a3.year - 1
            upheld_p = C.OMBUDSMAN_UPHELD.get(fy, C.OMBUDSMAN_UPHELD[max(C.OMBUDSMAN_UPHELD)])
            o3 = "upheld" if rng.random() < upheld_p else "not_upheld"
            rows.append({**base, "stage": "ombudsman", "received_on": r3, "responded_on": a3, "outcome": o3,
                         "remedy_gbp": _remedy(rng, "ombudsman", o3)})
    return rows


def _add_working_days(cal, day: dt.date, n: int) -> dt.date:
    return cal.add_working_days(np.array([day], dtype="datetime64[D]"), np.array([n]))[0].astype(dt.date)


def _row(case: dict, open_: bool) -> list:
    remedy = case["remedy_gbp"]
    return [case["case_ref"], case["stage"], case["received_on"].isoformat(),
            "" if open_ else case["responded_on"].isoformat(), case["directorate"], case["service"],
            case["category"], "" if open_ else case["outcome"],
            "" if open_ or remedy is None else f"{remedy:.2f}", case["ward_code"] or ""]


def deliveries(ctx: Context, cases: list[dict]) -> dict[str, list[list]]:
    """month -> rows of that month's extract (received or updated that month)."""
    end = ctx.config.end_date
    files: dict[str, list[tuple]] = {m: [] for m in ctx.config.months}
    for case in cases:
        r, a = case["received_on"], case["responded_on"]
        if r > end:
            continue
        rm = month_label(r.year, r.month)
        am = month_label(a.year, a.month)
        answered_same_month = am == rm
        files[rm].append((r, case["case_ref"], STAGE_ORDER[case["stage"]], _row(case, open_=not answered_same_month)))
        if not answered_same_month and a <= end:
            files[am].append((r, case["case_ref"], STAGE_ORDER[case["stage"]], _row(case, open_=False)))
    return {m: [t[3] for t in sorted(v, key=lambda t: t[:3])] for m, v in files.items()}


def generate(config: DemoConfig) -> SourceResult:
    ctx = Context(config)
    files = deliveries(ctx, simulate_cases(ctx))
    if config.faults:
        _plant(ctx, files)
    for month, rows in files.items():
        ctx.delivery.rows_csv(SOURCE, f"complaints_{month}.csv", HEADER, rows)
    return ctx.result()


def _plant(ctx: Context, files: dict[str, list[list]]) -> None:
    """A handful of bad rows: answers dated before receipt (a keying slip) and ward
    codes that are not Tower Hamlets wards (an old or mistyped code)."""
    rng = ctx.rng("complaints-faults")
    cells = [(m, i) for m in sorted(files) for i, r in enumerate(files[m])]
    answered = [(m, i) for m, i in cells if files[m][i][3]]
    used = set()
    for kind, pool, k in (("responded_before_received", answered, 2), ("unknown_ward", cells, 2)):
        for _ in range(k):
            free = [c for c in pool if c not in used]
            if not free:
                break
            m, i = free[int(rng.integers(0, len(free)))]
            used.add((m, i))
            row = files[m][i]
            if kind == "responded_before_received":
                row[3] = (dt.date.fromisoformat(row[2]) - dt.timedelta(days=int(rng.integers(2, 20)))).isoformat()
                col, value = "responded_on", row[3]
            else:
                row[9] = str(rng.choice(["E05000575", "E05009399", "E0500931"]))
                col, value = "ward_code", row[9]
            ctx.faults.add(SOURCE, f"complaints_{m}.csv", i + 1, kind, col, value)
