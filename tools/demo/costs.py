"""Finance ledger: fully loaded cost of each channel per month.

One file per month, delivered after month end: channel_costs_YYYY-MM.csv, and
from April 2025 the .xlsx finance switched to. Costs follow the volumes the
calls and contacts generators produced (cost = volume x unit cost x small
noise; online also carries a fixed platform cost), so unit costs computed by the
pipeline land near the calibrated figures. One month is re-delivered later as
_v2 with one channel corrected, as ledgers are after a late journal.
"""

from __future__ import annotations

from tools.demo import calibration as C
from tools.demo.calendar import first_day, parse_month, trend
from tools.demo.context import Context, DemoConfig, SourceResult

SOURCE = "channel_costs"
CHANNELS = ["phone", "face_to_face", "online", "email", "webchat", "social_media"]
HEADER = ["month", "channel", "cost_gbp"]


def ledger(ctx: Context, month: str, volumes: dict[str, int]) -> list[list]:
    y, m = parse_month(month)
    rng = ctx.rng("costs", y * 12 + m)
    rows = []
    for ch in CHANNELS:
        volume = volumes.get(ch, 0)
        if ch == "webchat" and month < C.WEBCHAT_LAUNCH[:7]:
            continue  # no webchat line before the launch
        unit = float(trend(C.UNIT_COST[ch], first_day(month)))
        cost = volume * unit * (1 + C.COST_NOISE_CV * rng.standard_normal())
        if ch == "online":
            cost += C.ONLINE_PLATFORM_PER_MONTH * ctx.scale
        rows.append([month, ch, round(max(cost, 0.0), 2)])
    return rows


def _write(ctx: Context, month: str, name_stem: str, rows: list[list]) -> str:
    if month >= C.COSTS_XLSX_FROM:  # finance sends Excel: month as text, cost as a number
        name = f"{name_stem}.xlsx"
        ctx.delivery.rows_xlsx(SOURCE, name, HEADER, [[r[0], r[1], float(r[2])] for r in rows])
    else:
        name = f"{name_stem}.csv"
        ctx.delivery.rows_csv(SOURCE, name, HEADER, [[r[0], r[1], f"{r[2]:.2f}"] for r in rows])
    return name


def generate(config: DemoConfig, volumes: dict[str, dict[str, int]]) -> SourceResult:
    ctx = Context(config)
    months = config.months
    correction = C.COSTS_CORRECTION_MONTH if C.COSTS_CORRECTION_MONTH in months else \
        (months[len(months) // 2] if len(months) >= 3 else None)
    negative = None
    if config.faults and len(months) >= 2:
        others = [m for m in months if m != correction]
        negative = others[int(ctx.rng("costs-faults").integers(0, len(others)))]
    for month in months:
        rows = ledger(ctx, month, volumes.get(month, {}))
        if month == negative:
            # a credit journal posted against the channel: a negative line, which the contract forbids
            i = int(ctx.rng("costs-faults", 1).integers(0, len(rows)))
            rows[i][2] = -rows[i][2]
            name = f"channel_costs_{month}" + (".xlsx" if month >= C.COSTS_XLSX_FROM else ".csv")
            ctx.faults.add(SOURCE, name, i + 1, "negative_cost", "cost_gbp", f"{rows[i][2]:.2f}")
        _write(ctx, month, f"channel_costs_{month}", rows)
        if month == correction:
            fixed = [list(r) for r in rows]
            for r in fixed:
                if r[1] == C.COSTS_CORRECTION_CHANNEL:
                    r[2] = round(abs(r[2]) * C.COSTS_CORRECTION_FACTOR, 2)
            _write(ctx, month, f"channel_costs_{month}_v2", fixed)
    return ctx.result()

