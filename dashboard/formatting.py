"""Numbers and statuses formatted for people, not machines."""

from __future__ import annotations

import json

import pandas as pd

# RAG is never shown by colour alone: each status has a word and a symbol.
RAG = {
    "green": {"label": "On target", "symbol": "✓", "icon": ":material/check_circle:", "badge": "green"},
    "amber": {"label": "Near target", "symbol": "!", "icon": ":material/error:", "badge": "orange"},
    "red": {"label": "Off target", "symbol": "✗", "icon": ":material/cancel:", "badge": "red"},
    None: {"label": "No target", "symbol": "–", "icon": ":material/remove:", "badge": "gray"},
}


def rag_text(rag: str | None) -> str:
    r = RAG.get(rag if isinstance(rag, str) else None, RAG[None])
    return f"{r['symbol']} {r['label']}"


def is_missing(value) -> bool:
    """None, NaN, NaT or pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array is not "missing"
        return False


def fmt_value(value, unit: str, *, precise: bool = False, decimals: int | None = None) -> str:
    """A KPI value in its unit: 83%, £4.20, 1,234, 2 min 5 s, 12.3 per 10,000.

    `decimals` prints that many places (a rate's as a percentage: 2 gives 74.99%);
    dashboard/status.py chooses them so a figure never contradicts its status."""
    if is_missing(value):
        return "–"
    if decimals is not None:
        return _fmt_places(value, unit, decimals)
    if unit == "rate":
        return f"{value * 100:.1f}%" if precise else f"{value * 100:.0f}%"
    if unit == "gbp":  # the sign before the pound sign: -£88,229
        sign, value = ("-", -value) if value < 0 else ("", value)
        if value >= 1_000_000:
            return f"{sign}£{value / 1_000_000:.2f}m"
        if value >= 10_000:
            return f"{sign}£{value:,.0f}"
        return f"{sign}£{value:,.2f}"
    if unit == "seconds":
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    if unit == "per_10k":
        return f"{value:.1f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _fmt_places(value, unit: str, places: int) -> str:
    """A value with exactly `places` decimal places in its unit's form."""
    if unit == "rate":
        return f"{value * 100:.{places}f}%"
    if unit == "gbp":
        sign, value = ("-", -value) if value < 0 else ("", value)
        return f"{sign}£{value:,.{places}f}"
    if unit == "seconds":
        total = float(f"{value:.{places}f}")
        minutes = int(total // 60)
        seconds = total - 60 * minutes
        width = 2 + (places + 1 if places else 0)
        return f"{minutes} min {seconds:0{width}.{places}f} s" if minutes else f"{seconds:.{places}f} s"
    return f"{value:,.{places}f}"


def shown_number(value, unit: str, places: int) -> float:
    """The number a reader sees when `value` is printed with `places` places (a rate as a fraction)."""
    if unit == "rate":
        return float(f"{value * 100:.{places}f}") / 100
    return float(f"{value:.{places}f}")


def fmt_change(delta, unit: str, short: bool = False) -> str:
    """A change between two values: +3 points, -£0.20, +1,200, -15 s.

    The sign is an ASCII '-' so Streamlit's st.metric reads the direction."""
    if is_missing(delta):
        return "–"
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    a = abs(delta)
    if unit == "rate":
        return f"{sign}{a * 100:.1f} {'pts' if short else 'points'}"
    if unit == "gbp":
        return f"{sign}£{a:,.2f}"
    if unit == "seconds":
        return f"{sign}{a:.0f} s"
    if unit == "per_10k":
        return f"{sign}{a:.1f}"
    return f"{sign}{a:,.0f}"


# Below these a change does not show in the figures as printed (0.0 points, £0.00...).
SMALLEST_CHANGE = {"rate": 0.0005, "gbp": 0.005, "count": 0.5, "seconds": 0.5, "per_10k": 0.05}


def negligible(delta, unit: str) -> bool:
    """A change too small to show at the precision the figures are printed with."""
    return abs(delta) < SMALLEST_CHANGE.get(unit, 1e-12)


def fmt_target(target, unit: str, polarity: str) -> str:
    if is_missing(target):
        return "No target set"
    word = "at least" if polarity == "higher" else "at most"
    return f"{word} {fmt_value(target, unit)}"


def period_label(period: str, short: bool = False) -> str:
    """'2025-03' -> 'March 2025' (short: 'Mar 2025'); other wave labels as they are."""
    import datetime as dt

    try:
        return dt.datetime.strptime(period, "%Y-%m").strftime("%b %Y" if short else "%B %Y")
    except (TypeError, ValueError):
        return str(period)


def direction_text(value, previous, polarity: str, unit: str) -> str | None:
    """How a KPI moved, in words and an arrow: '↑ 2.1 points, better'. None when unknown."""
    if is_missing(value) or is_missing(previous):
        return None
    delta = value - previous
    if negligible(delta, unit):
        return "→ no change"
    arrow = "↑" if delta > 0 else "↓"
    change = fmt_change(delta, unit).lstrip("+-±")
    if polarity == "none":
        return f"{arrow} {change}"
    better = (delta > 0) == (polarity == "higher")
    return f"{arrow} {change}, {'better' if better else 'worse'}"


def fmt_gbp(value) -> str:
    return fmt_value(value, "gbp")


def fmt_count(value) -> str:
    return fmt_value(value, "count")


def fmt_pct(value, precise: bool = False) -> str:
    return fmt_value(value, "rate", precise=precise)


# Action-plan statuses: a word and a symbol, never colour alone.
ACTION_STATUS = {
    "complete": {"label": "Complete", "symbol": "✓", "badge": "blue"},
    "on_track": {"label": "On track", "symbol": "●", "badge": "green"},
    "at_risk": {"label": "At risk", "symbol": "!", "badge": "orange"},
    "off_track": {"label": "Off track", "symbol": "✗", "badge": "red"},
    "not_started": {"label": "Not started", "symbol": "–", "badge": "gray"},
}


def action_status_text(status: str | None) -> str:
    s = ACTION_STATUS.get(status or "", {"label": str(status), "symbol": "?"})
    return f"{s['symbol']} {s['label']}"


# Strategy-target verdicts: words first.
TARGET_STATUS = {"met": "✓ Met", "not met": "✗ Not met", "not yet known": "… Not yet known",
                 "data problem": "⚠ Data problem (see Data quality)"}


def on_course_text(on_course, certainty: str | None = None) -> str:
    """The projection's verdict in words."""
    if is_missing(on_course):
        return "– No target to judge"
    word = "✓ On course to meet it" if on_course else "✗ Not on course to meet it"
    if certainty == "uncertain":
        word += " (but the range of likely values straddles the target)"
    return word


# ================================================================ survey significance (issue 5)
# A Board member is told a change or a gap in words; an arrow only when it is
# statistically significant, never for noise.
def change_text(words, change, better_or_worse=None) -> str:
    """fct_survey_change's words with the change in points: '▲ significant rise (+3.1 points, better)',
    'no significant change (+0.8 points)'; the mart's own words when nothing was tested."""
    if not isinstance(words, str):
        return "–"
    if is_missing(change):
        return words
    pts = fmt_change(change, "rate")
    if words == "significant rise":
        return f"▲ significant rise ({pts}" + (f", {better_or_worse})" if isinstance(better_or_worse, str) else ")")
    if words == "significant fall":
        return f"▼ significant fall ({pts}" + (f", {better_or_worse})" if isinstance(better_or_worse, str) else ")")
    return f"{words} ({pts})"


def interval_text(low, high) -> str:
    """A 95% interval in points: '64% to 70%'."""
    if is_missing(low) or is_missing(high):
        return "–"
    return f"{fmt_pct(low)} to {fmt_pct(high)}"


# ================================================================ figures of the same name (issue 10 item 8)
def kpi_label(kpi, dimension: str | None = None) -> str:
    """A KPI's name with its base where the catalogue gives one, so figures of the
    same name say why they differ: 'Digital take-up (all contacts)', and by age
    band 'Digital take-up (contacts that record an age)'. `kpi` is a catalogue or
    scorecard row (name, base, breakdown_bases)."""
    name = kpi["name"]
    base = kpi.get("base") if hasattr(kpi, "get") else None
    if dimension:
        try:
            by = json.loads(kpi.get("breakdown_bases") or "{}")
        except (TypeError, ValueError):
            by = {}
        base = by.get(dimension, base)
    return f"{name} ({base})" if isinstance(base, str) and base else name
