"""Notes on a KPI's figure: what its owner says about the period (kpi_commentary)
and whether the figure is provisional (a source that does not yet cover the month).

Shared by the card (one short line each), the KPI's chart section (in full) and
the board pack (HTML). Commentary is free text from an extract: every place it
is shown escapes it (markdown here, HTML in the pack), and the pipeline has
already held back notes with contact details, names or markup.
"""

from __future__ import annotations

import pandas as pd

from dashboard import data
from dashboard.formatting import is_missing, period_label
from pipelines.safe_text import html_text, markdown_text

CARD_NOTE_CHARS = 70  # a card shows the start of the note; the chart section and the pack show it all
NOT_ON_TARGET = ("red", "amber")
# how each source's records are called in a sentence
RECORDS = {"calls": "call records", "contacts": "contact records (online, e-mail, webchat, hubs)",
           "channel_costs": "the finance ledger", "complaints": "complaint records",
           "survey_responses": "survey responses", "staff_training": "training records",
           "workforce": "HR headcount figures"}
def _date(value) -> str:
    if is_missing(value):
        return ""
    d = pd.Timestamp(value)
    return f"{d.day} {d:%b %Y}"


def _shortened(text: str, limit: int = CARD_NOTE_CHARS) -> str:
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def _period_word(run: data.Run, kpi_id: str) -> str:
    return "wave" if data.kpi_cadences(run).get(kpi_id) == "wave" else "month"


def _missing_commentary(run: data.Run, kpi_id: str) -> str:
    return f"No commentary from the owner for this {_period_word(run, kpi_id)}."


def _by_whom(note: dict) -> str:
    return f"{note['owner_role']}, {_date(note['written_on'])}"


def provisional_sentence(prov: dict) -> str:
    """'Provisional: the training records end on 13 Nov 2026; the figure may change.'"""
    parts = []
    for s in prov["sources"]:
        what = RECORDS.get(s["source"], s["label"].lower())
        if isinstance(s.get("channels_without_cost"), str):
            parts.append(f"{what} has no cost yet for {s['channels_without_cost']}")
        elif not is_missing(s.get("last_record_on")) and not (
                not is_missing(s.get("month_end")) and pd.Timestamp(s["last_record_on"]) >= pd.Timestamp(s["month_end"])):
            parts.append(f"the {what} end on {_date(s['last_record_on'])}" if not what.startswith("the ")
                         else f"{what} ends on {_date(s['last_record_on'])}")
        else:
            parts.append(f"{what} {'is' if what.startswith('the ') else 'are'} incomplete for this period"
                         if what.startswith("the ") else f"the {what} are incomplete for this period")
    return "Provisional: " + "; ".join(parts) + ", so the figure may change."


def provisional_short(prov: dict) -> str:
    """'Provisional: training records end 13 Nov 2026' (a card's width)."""
    parts = []
    for s in prov["sources"]:
        what = RECORDS.get(s["source"], s["label"].lower()).split(" (")[0].removeprefix("the ")
        reach = s.get("last_record_on")
        ends = not is_missing(reach) and (is_missing(s.get("month_end"))
                                          or pd.Timestamp(reach) < pd.Timestamp(s["month_end"]))
        parts.append(f"{what} end {_date(reach)}" if ends and not isinstance(s.get("channels_without_cost"), str)
                     else f"{what} incomplete")
    return "Provisional: " + "; ".join(parts)


def card_lines(row: pd.Series) -> list[str]:
    """Markdown lines for a KPI card: provisional flag and the owner's note (or that
    there is none for a figure not on target). Only the whole council's figure has
    notes: a card showing a service or directorate gets none."""
    run = data.current_run()
    if run is None or row.get("breakdown") or not row.get("period"):
        return []
    lines = []
    prov = data.provisional_for(run, row["kpi_id"], row["period"])
    if prov:
        lines.append(f"**{markdown_text(provisional_short(prov))}**")
    note = data.commentary_for(run, row["kpi_id"], row["period"])
    if note:  # the start of it: the owner's role and the whole note are under the chart and in the pack
        lines.append(f"Owner's note ({markdown_text(_date(note['written_on']))}): "
                     f"*{markdown_text(_shortened(note['text']))}*")
    elif row.get("rag") in NOT_ON_TARGET:
        lines.append(markdown_text(_missing_commentary(run, row["kpi_id"])))
    return lines


def chart_notes(run: data.Run, kpi_id: str, period: str, rag) -> list[str]:
    """Markdown paragraphs under a KPI's chart, for its latest period shown: the
    provisional flag and the owner's note in full."""
    out = []
    prov = data.provisional_for(run, kpi_id, period)
    if prov:
        out.append(f"**{markdown_text(provisional_sentence(prov))}**")
    note = data.commentary_for(run, kpi_id, period)
    when = period_label(period)
    if note:
        out.append(f"**Owner's note on {markdown_text(when)}** ({markdown_text(_by_whom(note))}): "
                   f"{markdown_text(note['text'])}")
    elif rag in NOT_ON_TARGET:
        out.append(markdown_text(_missing_commentary(run, kpi_id)))
    return out


def commentary_table(run: data.Run, kpi_id: str, up_to: str | None = None) -> pd.DataFrame:
    """Every note on a KPI, newest first, as a table people read (cells are text, not markdown)."""
    df = data.kpi_commentary(run, kpi_id)
    if df.empty:
        return df
    if up_to is not None:
        df = df[df["period"] <= up_to]
    df = df.sort_values("period", ascending=False)
    return pd.DataFrame({"Period": df["period"].map(period_label), "Owner": df["owner_role"],
                         "Written on": df["written_on"].map(_date), "Commentary": df["text"]})


def pack_html(run: data.Run, row: pd.Series) -> str:
    """The notes on a KPI for the board pack, as escaped HTML paragraphs."""
    if row.get("breakdown") or not row.get("period"):
        return ""
    parts = []
    prov = data.provisional_for(run, row["kpi_id"], row["period"])
    if prov:
        parts.append(f'<p class="note provisional"><strong>{html_text(provisional_sentence(prov))}</strong></p>')
    note = data.commentary_for(run, row["kpi_id"], row["period"])
    if note:
        parts.append(f'<p class="note commentary"><strong>Owner\'s note</strong> ({html_text(_by_whom(note))}): '
                     f'{html_text(" ".join(str(note["text"]).split()))}</p>')
    elif row.get("rag") in NOT_ON_TARGET:
        parts.append(f'<p class="note no-commentary">{html_text(_missing_commentary(run, row["kpi_id"]))}</p>')
    return "".join(parts)


