"""Telephony call records: one file per open day, calls/calls_YYYYMMDD.csv.

Simulated one day at a time (memory stays flat at any --scale) and vectorised
within the day. Each day's randomness comes from its own stream, so a day's file
depends only on the seed and the follow-up calls carried into it.

Repeat calls are modelled the way they happen: a share of calls (more after an
abandoned or unresolved call: failure demand) is followed up by the same caller
0-4 open days later, so the 7-day repeat rate emerges from caller behaviour and
crosses day files and month boundaries, as the pipeline has to handle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pyarrow as pa

from tools.demo import calibration as C
from tools.demo import formats as F
from tools.demo.calendar import month_label, trend
from tools.demo.context import Context, DemoConfig, SourceResult
from tools.demo.faults import CALL_FAULTS, plant_rows, replace_cells
from tools.demo.randomness import pseudonyms

SOURCE = "calls"
QUEUES = list(C.QUEUE_SHARE)
COLUMNS = ["call_id", "queue", "caller_hash", "offered_at", "answered_at", "ended_at", "outcome",
           "first_contact_resolved"]


def season_table(codes: list[str]) -> np.ndarray:
    """(service, month) demand multipliers, each row normalised to a mean of 1."""
    t = np.array([C.SEASON.get(c, C.SEASON["_default"]) for c in codes], dtype=float)
    return t / t.mean(axis=1, keepdims=True)


class CallCentre:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.share = np.array([C.QUEUE_SHARE[q] for q in QUEUES])
        self.share /= self.share.sum()
        self.season = season_table(QUEUES)
        self.answer_offset = np.array([C.QUEUE_ANSWER_OFFSET.get(q, 0.0) for q in QUEUES])
        self.talk_factor = np.array([C.QUEUE_TALK_FACTOR.get(q, 1.0) for q in QUEUES])
        self.fcr_offset = np.array([C.QUEUE_FCR_OFFSET.get(q, 0.0) for q in QUEUES])
        self.pool = max(5_000, int(C.CALLER_POOL * ctx.scale))
        self.slot_p = np.array(C.CALLS_INTRADAY) / sum(C.CALLS_INTRADAY)
        self.delay_p = np.array(C.FOLLOWUP_DELAY_P) / sum(C.FOLLOWUP_DELAY_P)
        self.go_live = dt.date.fromisoformat(C.TELEPHONY_GO_LIVE)

    # ------------------------------------------------------------------ demand
    def day_demand(self, day: dt.date, after_closure: bool, rng: np.random.Generator):
        """Expected calls per queue, and the day's load relative to an average day."""
        base = trend(C.CALLS_PER_YEAR, day) / C.OPEN_DAYS_PER_YEAR * self.ctx.scale
        dow = C.CALLS_DOW[day.weekday()]
        if after_closure:  # the day after a bank holiday catches up like a Monday
            dow = max(dow, C.AFTER_BANK_HOLIDAY)
        if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
            dow *= C.CHRISTMAS_WEEK
        noise = rng.gamma(1 / C.DAILY_NOISE_CV**2, C.DAILY_NOISE_CV**2)
        lam = base * self.share * self.season[:, day.month - 1] * dow * noise
        return lam, lam.sum() / base

    def followup_share(self, day: dt.date, base_day: float) -> float:
        """Share of identified calls that are follow-ups, so that follow-ups plus chance
        repeats (another call from the same number within the week) hit the target."""
        chance = base_day * 5 * (1 - C.WITHHELD) / self.pool
        return max(0.01, trend(C.REPEAT_RATE, day) - chance)

    # ------------------------------------------------------------------ one set of calls
    def simulate(self, day, q, load, rng):
        """Outcome, wait and talk time for calls on queues q."""
        n = len(q)
        p = trend(C.ANSWER_RATE, day) - C.LOAD_SENSITIVITY * max(load - 1, 0) + self.answer_offset[q]
        wait_mean = trend(C.MEAN_WAIT_S, day) * load**C.WAIT_LOAD_POWER
        weeks = (day - self.go_live).days // 7
        if 0 <= weeks < len(C.TELEPHONY_DIP):  # new platform bedding in
            dp, wm = C.TELEPHONY_DIP[weeks]
            p = p + dp
            wait_mean *= wm
        answered = rng.random(n) < np.clip(p, 0.5, 0.995)
        mu = np.log(wait_mean) - C.WAIT_SIGMA**2 / 2
        wait = np.exp(mu + C.WAIT_SIGMA * rng.standard_normal(n))
        patience_mean = C.ABANDON_WAIT_FACTOR * wait_mean + 15
        patience = np.exp(np.log(patience_mean) - 0.9**2 / 2 + 0.9 * rng.standard_normal(n))
        wait = np.where(answered, np.clip(wait, 2, C.MAX_WAIT_S), np.clip(patience, 5, C.MAX_WAIT_S)).astype(np.int64)
        talk = np.exp(np.log(C.TALK_MEDIAN_S * self.talk_factor[q]) + C.TALK_SIGMA * rng.standard_normal(n))
        talk = np.where(answered, np.clip(talk, 60, 2400), 0).astype(np.int64)
        recorded = answered & (rng.random(n) < C.FCR_RECORDED)
        resolved = rng.random(n) < np.clip(trend(C.FCR_RATE, day) + self.fcr_offset[q], 0.3, 0.97)
        return {"answered": answered, "wait": wait, "talk": talk, "recorded": recorded, "resolved": resolved}

    def spawn(self, calls, share, rng, same_day_allowed: bool):
        """Follow-up calls by the same caller: (caller, queue, delay in open days, earliest second)."""
        caller, out = calls["caller"], calls
        identified = caller >= 0
        w = np.where(~out["answered"], C.FOLLOWUP_WEIGHT["abandoned"],
                     np.where(~out["recorded"], C.FOLLOWUP_WEIGHT["unrecorded"],
                              np.where(out["resolved"], C.FOLLOWUP_WEIGHT["resolved"], C.FOLLOWUP_WEIGHT["unresolved"])))
        if not identified.any():
            return None
        p = np.clip(share * w / w[identified].mean(), 0, 0.9)
        go = identified & (rng.random(len(caller)) < p)
        idx = np.flatnonzero(go)
        delay = rng.choice(len(self.delay_p), size=len(idx), p=self.delay_p)
        end = out["offered"][idx] + out["wait"][idx] + out["talk"][idx]
        earliest = end + rng.integers(300, 3 * 3600, size=len(idx))
        # a same-day call back has to fit before closing, else it comes tomorrow
        too_late = (delay == 0) & ((earliest >= C.CENTRE_CLOSES_S) | (not same_day_allowed))
        delay[too_late] = 1
        same_q = rng.random(len(idx)) < C.FOLLOWUP_SAME_QUEUE
        q = np.where(same_q, calls["q"][idx], rng.choice(len(QUEUES), size=len(idx), p=self.share))
        return caller[idx], q, delay, earliest

    def arrivals(self, n, rng):
        slot = rng.choice(len(self.slot_p), size=n, p=self.slot_p)
        return C.CENTRE_OPENS_S + slot * 1800 + rng.integers(0, 1800, size=n)

    # ------------------------------------------------------------------ a day
    def day(self, day: dt.date, after_closure: bool, carried, rng):
        lam, load = self.day_demand(day, after_closure, rng)
        base_day = trend(C.CALLS_PER_YEAR, day) / C.OPEN_DAYS_PER_YEAR * self.ctx.scale
        share = self.followup_share(day, base_day)
        # fresh calls make up what follow-ups (arriving from earlier days) do not
        fresh = rng.poisson(lam * (1 - share * (1 - C.WITHHELD)))
        q = np.repeat(np.arange(len(QUEUES)), fresh)
        caller = rng.integers(0, self.pool, size=len(q))
        caller[rng.random(len(q)) < C.WITHHELD] = -1
        c_caller, c_q = carried
        calls = {"q": np.concatenate([q, c_q]).astype(np.int64), "caller": np.concatenate([caller, c_caller])}
        calls["offered"] = self.arrivals(len(calls["q"]), rng)
        calls.update(self.simulate(day, calls["q"], load, rng))
        later = []
        first = self.spawn(calls, share, rng, same_day_allowed=True)
        if first is not None:
            f_caller, f_q, f_delay, f_earliest = first
            now = f_delay == 0
            if now.any():  # call backs later the same day, simulated like any call
                second = {"q": f_q[now], "caller": f_caller[now],
                          "offered": np.minimum(f_earliest[now], C.CENTRE_CLOSES_S - 1)}
                second.update(self.simulate(day, second["q"], load, rng))
                more = self.spawn(second, share, rng, same_day_allowed=False)
                if more is not None:
                    later.append(more[:3])
                calls = {k: np.concatenate([calls[k], second[k]]) for k in calls}
            later.append((f_caller[~now], f_q[~now], f_delay[~now]))
        return calls, later

    # ------------------------------------------------------------------ the file
    def table(self, day: dt.date, calls) -> pa.Table:
        order = np.argsort(calls["offered"], kind="stable")
        c = {k: v[order] for k, v in calls.items()}
        n = len(order)
        t0 = F.day_number(day) * 86400
        offered = t0 + c["offered"]
        answered_at = offered + c["wait"]
        ended = answered_at + c["talk"]
        return pa.table({
            "call_id": F.sequence_ids(f"C{day:%Y%m%d}", np.arange(1, n + 1), 6),
            "queue": F.labels(QUEUES, c["q"]),
            "caller_hash": pseudonyms(np.maximum(c["caller"], 0), self.ctx.config.seed, "caller", c["caller"] >= 0),
            "offered_at": F.timestamps(offered),
            "answered_at": F.timestamps(answered_at, c["answered"]),
            "ended_at": F.timestamps(ended),
            "outcome": F.labels(["abandoned", "answered"], c["answered"].astype(np.int64)),
            "first_contact_resolved": F.yes_no(c["resolved"], c["recorded"]),
        })


def generate(config: DemoConfig) -> SourceResult:
    ctx = Context(config)
    centre = CallCentre(ctx)
    cal = ctx.calendar
    in_range = cal.open_days(config.start_date, config.end_date)
    if not in_range:
        return ctx.result()
    # warm up for a week so follow-ups from before --start already arrive on day one
    warm = cal.open_days(config.start_date - dt.timedelta(days=21), config.start_date - dt.timedelta(days=1))
    days = warm[-C.WARM_UP_OPEN_DAYS:] + in_range
    first_written = len(days) - len(in_range)

    special = _special_days(ctx, in_range)
    pending: dict[int, list] = defaultdict(list)
    volumes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    carry_corrections: pa.Table | None = None
    for i, day in enumerate(days):
        rng = ctx.rng("calls", day.toordinal())
        carried = pending.pop(i, [])
        c_caller = np.concatenate([c[0] for c in carried]) if carried else np.zeros(0, np.int64)
        c_q = np.concatenate([c[1] for c in carried]) if carried else np.zeros(0, np.int64)
        after_closure = i > 0 and (day - days[i - 1]).days > 1 and not (day.weekday() == 0 and (day - days[i - 1]).days == 3)
        calls, later = centre.day(day, after_closure, (c_caller, c_q), rng)
        for f_caller, f_q, f_delay in later:
            for d in np.unique(f_delay):
                sel = f_delay == d
                pending[i + int(d)].append((f_caller[sel], f_q[sel]))
        if i < first_written:
            continue
        table = centre.table(day, calls)
        volumes[month_label(day.year, day.month)]["phone"] += table.num_rows
        name = f"calls_{day:%Y%m%d}.csv"
        kind = special.get(day)
        if config.faults and kind is None:
            table = plant_rows(table, CALL_FAULTS, C.ROW_FAULT_RATE, ctx.rng("calls-faults", day.toordinal()),
                               ctx.faults, SOURCE, name)
        # yesterday's late wrap-ups arrive at the end of today's file
        if carry_corrections is not None and kind != "missing_column":
            for r in range(carry_corrections.num_rows):
                ctx.faults.add(SOURCE, name, table.num_rows + r + 1, "correction", "first_contact_resolved",
                               carry_corrections.column("first_contact_resolved")[r].as_py())
            table = pa.concat_tables([table, carry_corrections])
        carry_corrections = _corrections(ctx, day, calls_table=table) if config.faults else None
        if kind == "missing_column":
            ctx.faults.add(SOURCE, name, None, "missing_column", "outcome")
            ctx.delivery.arrow_csv(SOURCE, name, table.drop_columns(["outcome"]))
        else:
            ctx.delivery.arrow_csv(SOURCE, name, table)
        if kind == "duplicate_file":
            resend = f"calls_{day:%Y%m%d}_resend.csv"
            ctx.delivery.copy(SOURCE, name, resend, table.num_rows)
            ctx.faults.add(SOURCE, resend, None, "duplicate_file", None, name)
    return ctx.result({m: dict(v) for m, v in volumes.items()})


def _special_days(ctx: Context, in_range: list[dt.date]) -> dict[dt.date, str]:
    """One day whose file lacks the outcome column, one re-delivered under a new name."""
    if not ctx.config.faults or len(in_range) < 4:
        return {}
    rng = ctx.rng("calls-files")
    a, b = rng.choice(np.arange(1, len(in_range) - 1), size=2, replace=False)
    return {in_range[int(a)]: "missing_column", in_range[int(b)]: "duplicate_file"}


def _corrections(ctx: Context, day: dt.date, calls_table: pa.Table) -> pa.Table | None:
    """~0.3% of calls re-delivered in the next file, wrap-up (FCR) now filled in."""
    rng = ctx.rng("calls-corrections", day.toordinal())
    # only today's own answered calls whose wrap-up was missing
    prefix = f"C{day:%Y%m%d}"
    t = calls_table
    ids = t.column("call_id").to_numpy(zero_copy_only=False)
    fcr = t.column("first_contact_resolved").to_numpy(zero_copy_only=False)
    outcome = t.column("outcome").to_numpy(zero_copy_only=False)
    own = np.array([isinstance(x, str) and x.startswith(prefix) for x in ids]) if len(ids) < 50 else \
        np.char.startswith(ids.astype(str), prefix)
    cand = np.flatnonzero(own & (outcome == "answered") & np.array([v is None for v in fcr]))
    k = min(len(cand), int(rng.poisson(C.CALL_CORRECTION_RATE * t.num_rows)))
    if k == 0:
        return None
    rows = np.sort(rng.choice(cand, size=k, replace=False))
    sub = t.take(pa.array(rows))
    values = ["Y" if v else "N" for v in rng.random(k) < trend(C.FCR_RATE, day)]
    return replace_cells(sub, "first_contact_resolved", list(range(k)), values)
