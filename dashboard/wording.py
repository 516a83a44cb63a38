"""The words a KPI's figures are read in, shared by the pages, their downloads and the
board pack, so each says the same: outcome summaries, a card's comparisons, the
sparkline's text alternative and what changed since the previous period.

Pure functions of scorecard rows (data.scorecard); no Streamlit.
"""

from __future__ import annotations

import pandas as pd

from dashboard import spc, status
from dashboard.formatting import fmt_value, is_missing, period_label


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------- outcome summaries
def status_counts(card: pd.DataFrame) -> dict[str, int]:
    """How many measures are on, near or off target, data problems, or without a target or data."""
    problem = card["out_of_range"].fillna(False).astype(bool) if "out_of_range" in card else \
        pd.Series(False, index=card.index)
    rag = card["rag"].where(~problem)
    return {"green": int((rag == "green").sum()), "amber": int((rag == "amber").sum()),
            "red": int((rag == "red").sum()), "problem": int(problem.sum()),
            "none": int((rag.isna() & ~problem).sum())}


def counts_text(card: pd.DataFrame) -> str:
    c = status_counts(card)
    parts = [f"{c['green']} on target", f"{c['amber']} near target", f"{c['red']} off target"]
    if c["problem"]:
        parts.append(f"{c['problem']} data problem{'s' if c['problem'] > 1 else ''}")
    parts.append(f"{c['none']} without a target or data")
    return " · ".join(parts)


def names_with(card: pd.DataFrame, rag: str) -> list[str]:
    problem = card["out_of_range"].fillna(False).astype(bool) if "out_of_range" in card else False
    return list(card.loc[(card["rag"] == rag) & ~problem, "name"])


def outcome_summary(every: pd.DataFrame, shown: pd.DataFrame | None = None) -> str:
    """One outcome's measures in a sentence: every measure counted (or the shown ones said
    plainly to be the headline ones), with the measures off target and data problems named.

    `every` holds every measure of the outcome; `shown` the cards drawn below it,
    when that is fewer (the overview's headline measures)."""
    n = len(every)
    text = f"All {n} measure{'s' if n != 1 else ''} of this outcome: {counts_text(every)}."
    off = names_with(every, "red")
    if off:
        text += f" Off target: {', '.join(off)}."
    problems = list(every.loc[every["out_of_range"].fillna(False).astype(bool), "name"]) \
        if "out_of_range" in every else []
    if problems:
        text += f" Data problem (figure not shown): {', '.join(problems)}."
    if shown is not None and len(shown) < n:
        text += (f" Shown below: the {len(shown)} headline measure{'s' if len(shown) != 1 else ''}; "
                 "the outcome's page has every one.")
    return text


# ---------------------------------------------------------------- a card's lines
def figure_text(row) -> str:
    """The figure as a page prints it (the status rule), or 'data problem'."""
    return status.shown_value(row)


def previous_text(row) -> str | None:
    """'Oct 2026: 61%' — the previous period's figure (printed by the same rule)."""
    if not _text(row.get("previous_period")) or is_missing(row.get("previous_value")):
        return None
    if row.get("previous_out_of_range"):
        shown = "data problem"
    else:
        shown = status.figure(row, value=row["previous_value"], target=row.get("previous_target"),
                              rag=row.get("previous_rag"))
    return f"{period_label(row['previous_period'], short=True)}: {shown}"


def year_ago_text(row) -> str | None:
    """'Nov 2025: 58%' — the same month a year before, for context, without an arrow."""
    if not _text(row.get("year_ago_period")) or is_missing(row.get("year_ago_value")):
        return None
    return f"{period_label(row['year_ago_period'], short=True)}: {fmt_value(row['year_ago_value'], row['unit'])}"


def spark_alt(row) -> str:
    """The sparkline's text alternative: 'Last 13 months: from 61% (Nov 2025) to 66% (Nov 2026)'."""
    values = list(row.get("spark") or [])
    periods = list(row.get("spark_periods") or [])
    points = [(p, v) for p, v in zip(periods, values, strict=False) if not is_missing(v)]
    if len(points) < 2:
        return ""
    kind = "months" if row.get("cadence") == "monthly" else "waves"
    (p0, v0), (p1, v1) = points[0], points[-1]
    unit = row["unit"]
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    return (f"Last {len(values)} {kind}: from {fmt_value(v0, unit)} ({period_label(p0, short=True)}) to "
            f"{fmt_value(v1, unit)} ({period_label(p1, short=True)}); lowest {fmt_value(lo, unit)}, "
            f"highest {fmt_value(hi, unit)}")


def variation_text(row) -> str | None:
    """A monthly measure's variation in words (None for a survey wave measure)."""
    if row.get("cadence") != "monthly":
        return None
    return spc.variation_words(_text(row.get("variation")), _text(row.get("special_cause_rule")),
                               _text(row.get("signal")))


def assurance_text(row) -> str | None:
    if row.get("cadence") != "monthly":
        return None
    return spc.assurance_words(_text(row.get("assurance")))


# ---------------------------------------------------------------- since last period
def change_text(change) -> str:
    """One line of 'since last period': 'Calls answered within 60 seconds: now off target (was near
    target); now special cause: concern (was common cause)'."""
    parts = []
    if change.get("status_changed"):
        now = status.status_label({"rag": change.get("rag"), "out_of_range": change.get("out_of_range")})
        was = status.status_label({"rag": change.get("previous_rag"),
                                   "out_of_range": change.get("previous_out_of_range")})
        parts.append(f"now {now.lower()} (was {was.lower()})")
    if change.get("variation_changed"):
        now = spc.variation_words(_text(change.get("variation")), _text(change.get("special_cause_rule")),
                                  _text(change.get("signal")))
        before = _text(change.get("previous_variation"))
        was = f" (was {spc.variation_short(before)})" if before else ""
        parts.append(f"now {now[:1].lower()}{now[1:]}{was}")
    when = period_label(change["figure_period"], short=True) if _text(change.get("figure_period")) else ""
    wave = change.get("kind") == "survey" and change.get("cadence") != "monthly"
    return f"{change['name']}: {'; '.join(parts)}" + (f" ({when} wave)" if when and wave else "")


# ---------------------------------------------------------------- tables and downloads
def survey_change_sentence(row) -> str | None:
    """A survey figure's change on the previous wave, in the words of the card."""
    from dashboard.components import sentence, survey_change_text  # the card's own words

    text = survey_change_text(row)
    return sentence(text) if text else None


def scorecard_table(card: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows as the overview's table and its download show them: each figure as
    printed on the card (with its status, variation or survey change in the card's words)
    and, in their own columns, the unrounded value and target."""
    rows = []
    for r in card.to_dict("records"):
        survey = r.get("kind") == "survey"
        rows.append({
            "Outcome": r["outcome"],
            "Measure": r["name"],
            "Period": period_label(r["period"], short=True) if _text(r.get("period")) else "–",
            "Value": status.shown_value(r),
            "Target": status.target_text(r.get("target"), r["unit"], r["polarity"]),
            "Status": status.status_text(r),
            "Variation (monthly measures)": variation_text(r) or "–",
            "Assurance (monthly measures)": assurance_text(r) or "–",
            "Change on the previous wave (survey measures)": (survey_change_sentence(r) or "–") if survey else "–",
            "Margin of error (survey measures)": (status.margin_text(r) or "–") if survey else "–",
            "Previous period": previous_text(r) or "–",
            "A year before": year_ago_text(r) or "–",
            "Value (unrounded)": None if is_missing(r.get("value")) else float(r["value"]),
            "Target (unrounded)": None if is_missing(r.get("target")) else float(r["target"]),
        })
    return pd.DataFrame(rows)
