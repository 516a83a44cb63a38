"""The board pack: one self-contained HTML file of the Board overview and the
three outcome pages for a chosen month, to read offline or print.

Built from the same data functions as the pages (data.scorecard for the
cards, data.kpi_series for the trends), so its figures are the pages'
figures. Inline CSS, charts as inline SVG (dashboard/svg.py), no scripts and
no links to fetch: it opens from an e-mail attachment with no network.
"""

from __future__ import annotations

import pandas as pd

from dashboard import data, notes, release, svg
from dashboard.components import sentence, survey_change_text
from dashboard.formatting import (
    RAG,
    direction_text,
    fmt_target,
    fmt_value,
    period_label,
)
from pipelines.safe_text import html_text as escape  # every value written into the pack goes through it

TREND_MONTHS = 25  # the pages' default trend window

CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; margin: 24px auto; max-width: 1100px;
       line-height: 1.4; padding: 0 16px; }
h1 { font-size: 28px; margin-bottom: 4px; } h2 { font-size: 22px; margin-top: 32px; border-bottom: 3px solid #1d70b8;
       padding-bottom: 4px; } h3 { font-size: 18px; margin: 20px 0 6px; }
.meta { color: #505a5f; font-size: 14px; } .dq { background: #f3f2f1; padding: 8px 12px; border-left: 5px solid #505a5f; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 16px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #b1b4b6; vertical-align: middle; }
th { background: #f3f2f1; } td.num { text-align: right; white-space: nowrap; }
.rag { font-weight: bold; white-space: nowrap; padding: 2px 6px; border-radius: 3px; }
.rag-green { background: #cce5dc; } .rag-amber { background: #fbe3b4; } .rag-red { background: #f6d0bf; }
.rag-none { background: #e8e8e8; }
.kpis { display: flex; flex-wrap: wrap; gap: 16px; } .kpi { border: 1px solid #b1b4b6; padding: 8px 10px; width: 480px; }
.kpi p { margin: 2px 0; font-size: 13px; } .axis { font-size: 10px; fill: #505a5f; }
.legend { font-size: 13px; color: #505a5f; } .page { page-break-before: always; }
.note { border-left: 4px solid #1d70b8; padding-left: 8px; } .provisional { border-left-color: #f47738; }
@media print { body { margin: 0; } .kpi { break-inside: avoid; } }
"""


def _rag_cell(rag) -> str:
    key = rag if isinstance(rag, str) else None
    r = RAG.get(key, RAG[None])
    return f'<span class="rag rag-{key or "none"}">{r["symbol"]} {escape(r["label"])}</span>'


def _kpi_table(card: pd.DataFrame, section: str) -> str:
    rows = []
    for _, r in card.iterrows():
        unit = r["unit"]
        if r["kpi_id"].startswith("survey."):
            # a survey figure: the significance test's words, never a direction for noise
            prev = sentence(survey_change_text(r) or "–")
            yoy = "–"
        else:
            prev = direction_text(r["value"], r["previous_value"], r["polarity"], unit) or "–"
            yoy = direction_text(r["value"], r["year_ago_value"], r["polarity"], unit) or "–"
        rows.append(
            f'<tr data-kpi="{escape(r["kpi_id"])}"><td>{escape(r["name"])}</td>'
            f'<td class="num value" data-section="{section}">{escape(fmt_value(r["value"], unit))}</td>'
            f'<td>{escape(period_label(r["period"], short=True)) if r["period"] else "–"}</td>'
            f'<td class="target">{escape(fmt_target(r["target"], unit, r["polarity"]))}</td>'
            f'<td class="status">{_rag_cell(r["rag"])}</td>'
            f'<td>{escape(prev)}</td><td>{escape(yoy)}</td>'
            f'<td>{svg.sparkline(r["spark"], label="Last 13 periods of " + r["name"])}</td></tr>')
    return ("<table><thead><tr><th>Measure</th><th>Latest</th><th>Period</th><th>Target</th><th>Status</th>"
            "<th>On the previous period</th><th>On a year before</th><th>Last 13 periods</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _rag_counts(card: pd.DataFrame) -> str:
    counts = card["rag"].value_counts()
    return (f"{counts.get('green', 0)} on target · {counts.get('amber', 0)} near target · "
            f"{counts.get('red', 0)} off target · {int(card['rag'].isna().sum())} without a target or data")


def _trend_block(run: data.Run, row: pd.Series, period: str) -> str:
    series = data.kpi_series(run, row["kpi_id"], period, TREND_MONTHS)
    chart = ""
    if len(series):
        chart = svg.trend(series["period"].tolist(), series["value"].tolist(), series["target"].tolist(),
                          unit=row["unit"], title=f"{row['name']}: trend against target")
    latest = fmt_value(row["value"], row["unit"])
    return (f'<div class="kpi" data-kpi="{escape(row["kpi_id"])}"><h3>{escape(row["name"])}</h3>'
            f'<p><strong class="value">{escape(latest)}</strong> '
            f'({escape(period_label(row["period"]) if row["period"] else "no data")}) · '
            f'{escape(fmt_target(row["target"], row["unit"], row["polarity"]))} · {_rag_cell(row["rag"])}</p>'
            f'{chart or "<p>No figures yet.</p>"}{notes.pack_html(run, row)}'
            f'<p>{escape(row["definition"])}</p><p class="legend">Source: {escape(row["source"] or "")}</p></div>')


def release_text(run: data.Run) -> str:
    """When these data were published and when the next update is due (dashboard/release.py)."""
    try:
        rel = release.release(run.manifest)
    except release.ScheduleError:
        return ""
    updated = release.when_text(rel.last_updated) if rel.last_updated else "unknown"
    return f"Last updated {updated} · next update due {release.when_text(rel.next_due)} ({rel.schedule.in_words()})"


def dq_text(run: data.Run) -> str:
    s = data.data_quality_status(run)
    if s["level"] == "green":
        return "✓ Data quality: all of last night's files were accepted."
    if s["level"] == "amber":
        return (f"! Data quality: {s['files_refused']} file(s) refused and {s['rows_quarantined_open']:,} row(s) "
                "in quarantine; figures exclude them.")
    return f"✗ Data quality: {s['suite_errors']} check file(s) could not be applied; some data is waiting."


def render(run: data.Run, period: str) -> str:
    """The board pack for `period` as one HTML document (UTF-8 text)."""
    m = run.manifest
    outcomes = data.outcomes(run)
    headline = data.scorecard(run, period)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Board pack {escape(period_label(period))}: Customer Experience Strategy 2023-26</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Customer Experience Strategy 2023-26: board pack</h1>",
        f"<p class='meta'>Figures for <strong>{escape(period_label(period))}</strong> · data as at "
        f"{escape(str(m.get('data_as_at') or 'unknown'))} · published {escape(str(m.get('published_at', '')))} · "
        f"run {escape(run.run_id)}</p>",
        f"<p class='meta'>{escape(release_text(run))}</p>",
        f"<p class='dq'>{escape(dq_text(run))}</p>",
        "<p class='legend'>Status is given in words and a symbol: ✓ On target · ! Near target (within the "
        "agreed margin) · ✗ Off target · – No target. Changes say whether the move is better or worse for "
        "residents. Survey figures are the latest wave whose fieldwork started by the month shown; their change "
        "on the previous wave is called significant only when a statistical test (95% level) says it is "
        "unlikely to be chance.</p>",
        "<h2 id='overview'>Board overview</h2>",
    ]
    for o in outcomes.itertuples():
        card = headline[headline["outcome"] == o.outcome]
        parts += [f"<h3>Outcome {o.outcome}: {escape(o.name)}</h3>", f"<p class='meta'>{_rag_counts(card)}</p>",
                  _kpi_table(card, "overview")]
    for o in outcomes.itertuples():
        card = data.scorecard(run, period, headline_only=False, outcome=o.outcome)
        parts += [f"<h2 class='page' id='outcome-{o.outcome}'>Outcome {o.outcome}: {escape(o.name)}</h2>",
                  f"<p class='meta'>Every measure of this outcome · {_rag_counts(card)}</p>",
                  _kpi_table(card, f"outcome-{o.outcome}"),
                  "<div class='kpis'>", *(_trend_block(run, r, period) for _, r in card.iterrows()), "</div>"]
    parts.append("<p class='legend'>Produced by the Customer Experience dashboard from the published marts. "
                 "Trend charts: the solid line is the measure, the dashed step line the target in force.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def file_name(period: str) -> str:
    return f"board-pack-{period}.html"


def values_by_kpi(html: str) -> dict[str, dict[str, str]]:
    """The latest value of each KPI in each section of a rendered pack (for checks and tests)."""
    import re

    out: dict[str, dict[str, str]] = {}
    for kpi, section, value in re.findall(
            r'<tr data-kpi="([^"]+)"><td>.*?</td><td class="num value" data-section="([^"]+)">([^<]*)</td>', html):
        out.setdefault(section, {})[kpi] = value
    return out
