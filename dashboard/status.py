"""One rule for a figure beside its status, used by cards, tables, the board pack and downloads.

The rule is the catalogue's (kpi_catalogue.yaml `status_rule`, published as
dim_status_rule and dim_kpi.display_decimals / display_max_decimals): a figure
is printed with its unit's usual places, and with more when that is needed to
show which side of its target, or of the near-target margin, it lies. So the
status a reader works out from the printed figure and target is always the
status published: 74.994% against "at least 75%" is "74.99%", near target.

RAG itself is the pipeline's (kpi_values.rag); this module never changes it.
`rag_of` repeats the pipeline's rule (int_kpi_all.sql) only to choose places.
A figure outside its KPI's valid range is a data problem: it has no status and
is never printed as a result.
"""

from __future__ import annotations

from dashboard.formatting import RAG, fmt_value, is_missing, shown_number

DATA_PROBLEM = {"label": "Data problem", "symbol": "⚠", "icon": ":material/warning:", "badge": "violet"}

# When dim_kpi does not say (an older published run): the catalogue's defaults.
DEFAULT_DECIMALS = {"rate": 0, "gbp": 2, "count": 0, "seconds": 0, "per_10k": 1}
DEFAULT_EXTRA = 6


def rag_of(value, target, polarity: str, amber_band) -> str | None:
    """green / amber / red for a value against its target, as int_kpi_all.sql decides
    (rounded to 9 places, so 0.9 computed as 0.8999999999 meets a 0.9 target)."""
    if is_missing(value) or is_missing(target) or polarity not in ("higher", "lower"):
        return None
    band = 0.0 if is_missing(amber_band) else float(amber_band)
    v = round(float(value), 9)
    if polarity == "higher":
        return "green" if v >= target else "amber" if v >= target - band else "red"
    return "green" if v <= target else "amber" if v <= target + band else "red"


def places(row) -> tuple[int, int]:
    """The usual and the largest number of places for a KPI's figures (dim_kpi)."""
    unit = row.get("unit")
    usual = row.get("display_decimals")
    usual = DEFAULT_DECIMALS.get(unit, 2) if is_missing(usual) else int(usual)
    most = row.get("display_max_decimals")
    most = usual + DEFAULT_EXTRA if is_missing(most) else int(most)
    return usual, most


def is_data_problem(row) -> bool:
    """A figure outside its KPI's valid range (fct_kpi_timeline.out_of_range)."""
    flag = row.get("out_of_range")
    return not is_missing(flag) and bool(flag)


def figure(row, value=None, target=None, rag=None) -> str:
    """A KPI figure as printed beside its status: enough places to show which side of
    the target and of the near-target margin it lies (the catalogue's status rule).

    `row` carries the KPI's unit, polarity, amber_band and places (a scorecard or
    catalogue row); value, target and rag default to the row's own."""
    value = row.get("value") if value is None else value
    target = row.get("target") if target is None else target
    rag = row.get("rag") if rag is None else rag
    unit = row["unit"]
    if is_missing(value):
        return "–"
    usual, most = places(row)
    published = rag if isinstance(rag, str) else None
    text = fmt_value(value, unit)  # the usual form (money in whole pounds from £10,000, £1.23m from £1m)
    if published is None or is_missing(target) or rag_of(
            usual_number(value, unit), target, row["polarity"], row.get("amber_band")) == published:
        return text
    for d in range(usual, most + 1):
        if rag_of(shown_number(value, unit, d), target, row["polarity"], row.get("amber_band")) == published:
            return fmt_value(value, unit, decimals=d)
    # no number of places agrees: the published RAG and this rule differ (tests guard against it)
    return text


def usual_number(value, unit: str) -> float:
    """The number a reader sees in fmt_value's usual form of a figure (formatting.fmt_value)."""
    value = float(value)
    if unit == "rate":
        return shown_number(value, unit, 0)
    if unit == "gbp":
        size = abs(value)
        if size >= 1_000_000:
            return round(value / 1_000_000, 2) * 1_000_000
        return shown_number(value, unit, 0 if size >= 10_000 else 2)
    if unit == "per_10k":
        return shown_number(value, unit, 1)
    if unit in ("seconds", "count"):
        return float(round(value))
    return shown_number(value, unit, 2)


def target_text(target, unit: str, polarity: str) -> str:
    """'at least 75%', 'at most £3.50': the target with the places it needs to be exact."""
    if is_missing(target):
        return "No target set"
    usual = DEFAULT_DECIMALS.get(unit, 2)
    d = next((d for d in range(usual, usual + DEFAULT_EXTRA + 1)
              if abs(shown_number(target, unit, d) - target) < 1e-12), usual + DEFAULT_EXTRA)
    word = "at least" if polarity == "higher" else "at most"
    return f"{word} {fmt_value(target, unit, decimals=d)}"


def status_label(row) -> str:
    """The status in words: On target, Near target, Off target, No target or Data problem."""
    if is_data_problem(row):
        return DATA_PROBLEM["label"]
    rag = row.get("rag")
    return RAG.get(rag if isinstance(rag, str) else None, RAG[None])["label"]


def status_text(row) -> str:
    """The status with its symbol ('✓ On target', '⚠ Data problem'): never colour alone."""
    if is_data_problem(row):
        return f"{DATA_PROBLEM['symbol']} {DATA_PROBLEM['label']}"
    rag = row.get("rag")
    r = RAG.get(rag if isinstance(rag, str) else None, RAG[None])
    return f"{r['symbol']} {r['label']}"


def shown_value(row) -> str:
    """What a page prints for the figure: the figure, or 'data problem' in its place."""
    if is_data_problem(row):
        return "data problem"
    return figure(row)


def data_problem_text(row) -> str:
    """Why a figure is not shown: the computed value and the valid range it breaks."""
    unit = row["unit"]
    low, high = row.get("valid_min"), row.get("valid_max")
    if not is_missing(low) and not is_missing(high):
        allowed = f"{fmt_value(low, unit)} to {fmt_value(high, unit)}"
    elif not is_missing(low):
        allowed = f"at least {fmt_value(low, unit)}"
    elif not is_missing(high):
        allowed = f"at most {fmt_value(high, unit)}"
    else:
        allowed = "its valid range"
    computed = fmt_value(row.get("value"), unit, decimals=places(row)[0] + 1)
    return (f"The figure computed ({computed}) is impossible for this measure (valid: {allowed}), so it is "
            "treated as a data-quality failure and given no status.")


def margin_text(row) -> str | None:
    """For a survey figure: where the target lies against its 95% interval.

    'Within the margin of error of the target' when the interval holds the target
    (the survey cannot tell the figure from it, whatever the status says);
    otherwise the whole interval is above or below it."""
    target, low, high = row.get("target"), row.get("ci_low"), row.get("ci_high")
    polarity = row.get("polarity")
    if is_missing(target) or is_missing(low) or is_missing(high) or polarity not in ("higher", "lower"):
        return None
    unit = row["unit"]
    interval = f"95% interval {fmt_value(low, unit, precise=True)} to {fmt_value(high, unit, precise=True)}"
    if low <= target <= high:
        return f"Within the margin of error of the target ({interval})"
    side = "Above" if low > target else "Below"
    return f"{side} the target beyond the margin of error ({interval})"


def with_kpi(info, row) -> dict:
    """A figure's row with its KPI's rules (unit, polarity, amber band, places, valid range)."""
    merged = {k: info.get(k) for k in ("unit", "polarity", "amber_band", "display_decimals",
                                        "display_max_decimals", "valid_min", "valid_max", "kind", "cadence")}
    merged.update({k: v for k, v in dict(row).items() if k not in merged or v is not None})
    for k in ("unit", "polarity"):  # the catalogue's, whatever the row carries
        merged[k] = info.get(k)
    return merged


def shown_and_status(df, info) -> tuple[list[str], list[str]]:
    """Each row's figure as printed and its status in words, for a table of one KPI's rows."""
    rows = [with_kpi(info, r) for r in df.to_dict("records")]
    shown = ["not shown (under 10)" if r.get("suppressed") is True and is_missing(r.get("value"))
             else shown_value(r) for r in rows]
    return shown, [status_text(r) for r in rows]
