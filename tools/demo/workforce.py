"""HR headcount (workforce/workforce_YYYY-MM.csv) and learning-system completions
(staff_training/training_YYYY-MM.csv).

The pipeline's staff_trained_rate counts distinct employees with a
customer_service completion on or before month end over that month's headcount,
and the extract has no leavers, so the cumulative number of distinct trained
employees is what is calibrated: each month enough (and no more than the
training team's capacity) untrained staff complete to follow the trajectory.
Staff who arrive with housing in November 2023 arrive untrained, so that
directorate dips, then catches up.

The simulation always starts in April 2021 and the first file delivered holds
every completion to date (the learning system's initial load), so the rate is
right from the first month whatever --start is.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from tools.demo import calibration as C
from tools.demo.calendar import first_day, last_day, months_between, parse_month, trend
from tools.demo.context import Context, DemoConfig, SourceResult
from tools.demo.randomness import pseudonyms

TRAINING = "staff_training"
WORKFORCE = "workforce"
COURSES = ["customer_service", "data_protection", "equality_diversity", "safeguarding"]
MONTHLY_CAPACITY = 0.08  # at most this share of a directorate's staff trained on a course in a month


def headcounts(ctx: Context, months: list[str]) -> dict[str, dict[str, int]]:
    """month -> directorate -> headcount."""
    out = {}
    for month in months:
        y, m = parse_month(month)
        rng = ctx.rng("workforce", y * 12 + m)
        out[month] = {d: int(round(trend(C.HEADCOUNT[d], first_day(month)) * (1 + C.HEADCOUNT_NOISE *
                                                                                rng.standard_normal())))
                      for d in ctx.ref.directorates}
    return out


def _target(course: str, directorate: str, month: str) -> float:
    end = last_day(month)
    if course == "customer_service":
        share = trend(C.CS_TRAINED, end) + C.CS_TRAINED_OFFSET.get(directorate, 0.0)
    else:
        share = trend(C.OTHER_COURSES[course], end)
        if course == "safeguarding":
            share *= C.SAFEGUARDING_DIRECTORATES.get(directorate, 1.0)
    return float(np.clip(share, 0.0, 0.97))


def completions(ctx: Context, months: list[str], heads: dict[str, dict[str, int]]) -> list[tuple]:
    """(completed_on, directorate, course, employee number) for every completion."""
    cal = ctx.calendar
    out = []
    history_from = first_day(C.TRAINING_HISTORY_FROM)
    history_days = cal.working_days(history_from, first_day(months[0]) - dt.timedelta(days=1))
    for di, d in enumerate(ctx.ref.directorates):
        size = max(h[d] for h in heads.values())
        for course in COURSES:
            rng = ctx.rng("training", di, COURSES.index(course))
            priority = rng.permutation(size)  # who gets round to the course first
            trained = np.zeros(size, dtype=bool)
            for k, month in enumerate(months):
                h = heads[month][d]
                want = int(round(_target(course, d, month) * h)) - int(trained[:h].sum())
                if k > 0:
                    want = min(want, int(MONTHLY_CAPACITY * h))
                if want <= 0:
                    continue
                existing = np.flatnonzero(~trained[:h])
                chosen = existing[np.argsort(priority[existing], kind="stable")[:want]]
                trained[chosen] = True
                days = cal.working_days(first_day(month), last_day(month))
                when = [days[i] for i in rng.integers(0, len(days), size=len(chosen))]
                if k == 0:  # the stock at the start: most of it completed before the series
                    old = rng.random(len(chosen)) < 0.97
                    when = [history_days[int(rng.integers(0, len(history_days)))] if o else w
                            for o, w in zip(old, when, strict=True)]
                out.extend((w, d, course, di * 100_000 + int(e)) for w, e in zip(when, chosen, strict=True))
    return out


def generate(config: DemoConfig) -> SourceResult:
    ctx = Context(config)
    sim_months = months_between(min(C.FIRST_MONTH, config.start), config.end)
    heads = headcounts(ctx, sim_months)
    rng = ctx.rng("workforce-faults")
    in_range = config.months
    bad_month = in_range[int(rng.integers(0, len(in_range)))] if config.faults else None
    for month in in_range:
        rows = [[month, d, str(heads[month][d])] for d in ctx.ref.directorates]
        if month == bad_month:  # a directorate's snapshot failed and exported as zero
            i = int(rng.integers(0, len(rows)))
            rows[i][2] = "0"
            ctx.faults.add(WORKFORCE, f"workforce_{month}.csv", i + 1, "nonpositive_headcount", "headcount", "0")
        ctx.delivery.rows_csv(WORKFORCE, f"workforce_{month}.csv", ["month", "directorate", "headcount"], rows)

    done = sorted(completions(ctx, sim_months, heads), key=lambda c: (c[0], c[1], c[2], c[3]))
    hashes = pseudonyms(np.array([c[3] for c in done], dtype=np.int64), config.seed, "employee").to_pylist()
    files: dict[str, list[list]] = {m: [] for m in in_range}
    first = in_range[0]
    for (when, d, course, _), h in zip(done, hashes, strict=True):
        month = f"{when.year:04d}-{when.month:02d}"
        if month > config.end:
            continue
        files[max(month, first)].append([h, d, course, when.isoformat()])  # earlier ones: initial load
    bad = None
    if config.faults:
        candidates = [m for m in in_range if files[m]]
        if candidates:
            bad = candidates[int(rng.integers(0, len(candidates)))]
    for month in in_range:
        rows = files[month]
        name = f"training_{month}.csv"
        if month == bad:  # one completion exported in the UK date format
            i = int(rng.integers(0, len(rows)))
            rows[i][3] = dt.date.fromisoformat(rows[i][3]).strftime("%d/%m/%Y")
            ctx.faults.add(TRAINING, name, i + 1, "bad_date_format", "completed_on", rows[i][3])
        ctx.delivery.rows_csv(TRAINING, name, ["employee_hash", "directorate", "course", "completed_on"], rows)
    return ctx.result()
