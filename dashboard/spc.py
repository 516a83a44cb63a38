"""Variation and assurance (NHS England "Making Data Count") in words and icons.

fct_kpi_spc computes the limits and signals; this module only says them. Each
icon is drawn after the Making Data Count convention (a letter in a circle: H or
L for a high or low special cause, P, F or ? for assurance) and always sits
beside the words, so nothing depends on colour.
"""

from __future__ import annotations

from dashboard.formatting import is_missing, period_label
from pipelines.safe_text import html_text as escape

# Colours of the Making Data Count icons; the letter and the words carry the meaning.
COLOURS = {"improvement": "#1d70b8", "concern": "#b85f00", "neither": "#6f3c97", "common": "#505a5f",
           "pass": "#1d70b8", "fail": "#b85f00", "unknown": "#505a5f"}

VARIATION = {
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neither": "Special cause",
    "common_cause": "Common cause: no significant change",
}
ASSURANCE = {
    "consistently_passes": "Consistently passes the target",
    "consistently_fails": "Consistently fails the target",
    "hit_and_miss": "Hit and miss against the target",
    "no_target": "No target to assure against",
}
# Why a month is a special cause, by rule and direction.
RULES = {
    ("outside_limits", "high"): "above the upper process limit",
    ("outside_limits", "low"): "below the lower process limit",
    ("trend", "high"): "7 or more months each higher than the last",
    ("trend", "low"): "7 or more months each lower than the last",
    ("two_of_three", "high"): "2 of 3 months close to the upper limit",
    ("two_of_three", "low"): "2 of 3 months close to the lower limit",
    ("run", "high"): "7 or more months in a row above the mean",
    ("run", "low"): "7 or more months in a row below the mean",
}
NOT_ASSESSED = "Variation not assessed yet: fewer than 12 months of data"


def _icon(letter: str, colour: str, *, hollow: bool = False) -> str:
    """A small circle with a letter, hidden from screen readers (the words beside it say it)."""
    fill, text = ("white", colour) if hollow else (colour, "white")
    return (f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false" '
            f'style="vertical-align:-4px"><circle cx="9" cy="9" r="8" fill="{fill}" stroke="{colour}" '
            f'stroke-width="1.6"/><text x="9" y="13" text-anchor="middle" font-family="Arial, sans-serif" '
            f'font-size="11" font-weight="bold" fill="{text}">{escape(letter)}</text></svg>')


def variation_icon(variation: str | None, signal: str | None) -> str:
    if variation is None or is_missing(variation):
        return _icon("–", COLOURS["unknown"], hollow=True)
    if variation == "common_cause":
        return _icon("~", COLOURS["common"], hollow=True)
    letter = "H" if signal == "high" else "L"
    colour = {"special_cause_improvement": COLOURS["improvement"], "special_cause_concern": COLOURS["concern"]}.get(
        variation, COLOURS["neither"])
    return _icon(letter, colour)


def assurance_icon(assurance: str | None) -> str:
    letter, colour = {"consistently_passes": ("P", COLOURS["pass"]), "consistently_fails": ("F", COLOURS["fail"]),
                      "hit_and_miss": ("?", COLOURS["unknown"])}.get(assurance or "", ("–", COLOURS["unknown"]))
    return _icon(letter, colour, hollow=assurance not in ("consistently_passes", "consistently_fails"))


def variation_label(variation: str | None, signal: str | None = None) -> str:
    """The variation in a few words: 'Special cause: improvement', 'Special cause: unusually high',
    'Common cause: no significant change'."""
    if variation is None or is_missing(variation):
        return NOT_ASSESSED
    if variation == "special_cause_neither":
        return f"Special cause: unusually {'high' if signal == 'high' else 'low'}"
    return VARIATION.get(variation, str(variation))


def variation_reason(rule: str | None, signal: str | None) -> str | None:
    """Why a month is a special cause: 'above the upper process limit'."""
    return RULES.get((rule, signal)) if isinstance(rule, str) else None


def variation_words(variation: str | None, rule: str | None = None, signal: str | None = None) -> str:
    """'Special cause: improvement (above the upper process limit)', 'Common cause: no significant change'."""
    words = variation_label(variation, signal)
    why = variation_reason(rule, signal) if variation not in (None, "common_cause") else None
    return f"{words} ({why})" if why else words


def variation_short(variation: str | None) -> str:
    """For 'was ...': 'common cause', 'special cause: improvement'."""
    if variation is None or is_missing(variation):
        return "not assessed"
    if variation == "common_cause":
        return "common cause"
    return variation_label(variation).lower() if variation != "special_cause_neither" else "special cause"


def assurance_words(assurance: str | None) -> str | None:
    if assurance is None or is_missing(assurance):
        return None
    return ASSURANCE.get(assurance, str(assurance))


def assurance_explained(assurance: str | None) -> str | None:
    """What the assurance means, for a tooltip or a table."""
    return {
        "consistently_passes": "the whole range the process produces (between its limits) meets the target",
        "consistently_fails": "the whole range the process produces (between its limits) misses the target: "
                              "it will not be met without a change to the process",
        "hit_and_miss": "the target lies between the process limits: some months will meet it, some will not",
    }.get(assurance or "")


def limits_note(row) -> str | None:
    """Where the limits come from, e.g. 'limits from Mar 2026 (new telephony system), 9 months: provisional'."""
    start = row.get("as_at_segment_start", row.get("segment_start"))
    if not isinstance(start, str):
        return None
    months = row.get("as_at_segment_months", row.get("baseline_months"))
    trial = row.get("as_at_limits_trial", row.get("limits_trial"))
    note = f"limits from {period_label(start, short=True)}"
    if not is_missing(months):
        note += f" ({int(min(months, 20))} months' baseline)"
    if not is_missing(trial) and bool(trial):
        note += ", provisional until there are 12"
    return note


def variation_line(variation, rule, signal, *, with_reason: bool = False) -> str:
    """Icon and words on one line of HTML (for st.markdown with unsafe_allow_html); the reason
    for a special cause too when asked (a card keeps it for its tooltip)."""
    words = variation_words(variation, rule, signal) if with_reason else variation_label(variation, signal)
    return f"{variation_icon(variation, signal)} {escape(words)}"


def assurance_line(assurance) -> str | None:
    words = assurance_words(assurance)
    return None if words is None else f"{assurance_icon(assurance)} {escape(words)}"
