"""The board pack: one self-contained HTML file of the Board overview and the
three outcome pages for a chosen month, to read offline or print.

Built from the same data functions as the pages (data.scorecard for the
cards, data.kpi_series for the trends), so its figures are the pages'
figures. Inline CSS, charts as inline SVG (dashboard/svg.py), no scripts and
no links to fetch: it opens from an e-mail attachment with no network.
"""

from __future__ import annotations

import pandas as pd

from dashboard import data, notes, release, spc, status, svg, wording
from dashboard.components import with_out_of_range
from dashboard.formatting import RAG, period_label
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
.rag-none { background: #e8e8e8; } .rag-problem { background: #e8dcf0; }
.kpis { display: flex; flex-wrap: wrap; gap: 16px; } .kpi { border: 1px solid #b1b4b6; padding: 8px 10px; width: 480px; }
.kpi p { margin: 2px 0; font-size: 13px; } .axis { font-size: 10px; fill: #505a5f; }
.legend { font-size: 13px; color: #505a5f; } .page { page-break-before: always; }
.note { border-left: 4px solid #1d70b8; padding-left: 8px; } .provisional { border-left-color: #f47738; }
@media print { body { margin: 0; } .kpi { break-inside: avoid; } }
"""


def _status_cell(row) -> str:
    """The status in words and a symbol (never colour alone); a data problem says so."""
    if status.is_data_problem(row):
        return f'<span class="rag rag-problem">{escape(status.status_text(row))}</span>'
    key = row.get("rag") if isinstance(row.get("rag"), str) else None
    r = RAG.get(key, RAG[None])
    return f'<span class="rag rag-{key or "none"}">{r["symbol"]} {escape(r["label"])}</span>'


def _text(value, default: str = "–") -> str:
    """Text for the pack: never 'nan' or 'None'."""
    return value if isinstance(value, str) and value else default


def _comparison(r) -> tuple[str, str]:
    """(how it compares, context): a monthly measure's variation and assurance, a survey
    measure's change on the previous wave and margin of error, in the pages' words."""
    if r.get("kind") == "survey":
        change = wording.survey_change_sentence(r) or "–"
        context = [status.margin_text(r)] if not status.is_data_problem(r) else []
        if r.get("cadence") == "monthly":
            context = [wording.variation_text(r), wording.assurance_text(r), *context]
        return change, " · ".join(x for x in context if x) or "–"
    context = [x for x in (wording.variation_text(r), wording.assurance_text(r)) if x]
    return (context[0] if context else "–"), (" · ".join(context[1:]) or "–")


def _kpi_table(card: pd.DataFrame, section: str) -> str:
    rows = []
    for r in card.to_dict("records"):
        change, context = _comparison(r)
        icon = (spc.variation_icon(_text(r.get("variation"), None), _text(r.get("signal"), None))
                if r.get("cadence") == "monthly" else "")
        rows.append(
            f'<tr data-kpi="{escape(r["kpi_id"])}"><td>{escape(r["name"])}</td>'
            f'<td class="num value" data-section="{section}">{escape(status.shown_value(r))}</td>'
            f'<td>{escape(period_label(r["period"], short=True)) if _text(r.get("period"), "") else "–"}</td>'
            f'<td class="target">{escape(status.target_text(r.get("target"), r["unit"], r["polarity"]))}</td>'
            f'<td class="status">{_status_cell(r)}</td>'
            f'<td class="change">{icon} {escape(change)}</td><td>{escape(context)}</td>'
            f'<td>{escape(wording.year_ago_text(r) or "–")}</td>'
            f'<td>{svg.sparkline(r.get("spark") or [], label=wording.spark_alt(r))}</td></tr>')
    return ("<table><thead><tr><th>Measure</th><th>Latest</th><th>Period</th><th>Target</th><th>Status</th>"
            "<th>Variation or change</th><th>Assurance, margin of error</th><th>A year before</th>"
            "<th>Last 13 periods</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _since_last_period(run: data.Run, period: str) -> str:
    changes = data.status_changes(run, period)
    if changes.empty:
        return "<p>No measure changed its status or its variation signal in the last three months.</p>"
    parts = []
    for month, group in changes.groupby("period", sort=False):
        items = "".join(f'<li><a href="#kpi-{escape(c["kpi_id"])}">{escape(wording.change_text(c))}</a></li>'
                        for c in group.to_dict("records"))
        parts.append(f"<h3>{escape(period_label(month))}</h3><ul>{items}</ul>")
    return ("<p class='legend'>Measures whose status or variation signal changed, month on month, in the three "
            "months to the month shown, newest first. Each links to its chart below.</p>" + "".join(parts))


def _trend_block(run: data.Run, row: dict, period: str) -> str:
    series = data.kpi_series(run, row["kpi_id"], period, TREND_MONTHS)
    chart = ""
    if len(series):
        values = series["value"].where(data._valid(series))  # a data problem is not a result
        chart = svg.trend(series["period"].tolist(), values.tolist(), series["target"].tolist(),
                          unit=row["unit"], title=f"{row['name']}: trend against target")
    change, context = _comparison(row)
    when = period_label(row["period"]) if _text(row.get("period"), "") else "no data"
    problem = f"<p>{escape(status.data_problem_text(row))}</p>" if status.is_data_problem(row) else ""
    return (f'<div class="kpi" id="kpi-{escape(row["kpi_id"])}" data-kpi="{escape(row["kpi_id"])}">'
            f'<h3>{escape(row["name"])}</h3>'
            f'<p><strong class="value">{escape(status.shown_value(row))}</strong> ({escape(when)}) · '
            f'{escape(status.target_text(row.get("target"), row["unit"], row["polarity"]))} · '
            f'{_status_cell(row)}</p>{problem}'
            f'<p>{escape(change)}{"" if context == "–" else " · " + escape(context)}</p>'
            f'{chart or "<p>No figures yet.</p>"}{notes.pack_html(run, row)}'
            f'<p>{escape(_text(row.get("definition"), ""))}</p>'
            f'<p class="legend">Source: {escape(_text(row.get("source"), "not recorded"))}</p></div>')


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
    if s["level"] == "red":
        text = f"✗ Data quality: {s['suite_errors']} check file(s) could not be applied; some data is waiting."
    elif s["files_refused"] or s["rows_quarantined_open"]:
        text = (f"! Data quality: {s['files_refused']} file(s) refused and {s['rows_quarantined_open']:,} row(s) "
                "in quarantine; figures exclude them.")
    else:
        text = ("✓" if s["level"] == "green" else "!") + " Data quality: all of last night's files were accepted."
    return with_out_of_range(text, s)


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
        "agreed margin) · ✗ Off target · – No target · ⚠ Data problem (the figure is impossible for the measure, "
        "so it is not shown as a result). " + escape(data.status_rule(run)) + " Monthly measures are read as "
        "NHS England's Making Data Count reads them: a month is a special cause (improvement or concern) only "
        "when it breaks a statistical process control rule, otherwise it is common-cause variation and no "
        "change is claimed; assurance says whether the target can be relied on (consistently passes, "
        "consistently fails, or hit and miss). Survey figures are the latest wave whose fieldwork started by the "
        "month shown; their change on the previous wave is called significant only when a statistical test "
        "(95% level) says it is unlikely to be chance.</p>",
        "<h2 id='since-last-period'>Since last period</h2>",
        _since_last_period(run, period),
        "<h2 id='overview'>Board overview</h2>",
    ]
    for o in outcomes.itertuples():
        card = headline[headline["outcome"] == o.outcome]
        every = data.scorecard(run, period, headline_only=False, outcome=o.outcome)
        parts += [f"<h3>Outcome {o.outcome}: {escape(o.name)}</h3>",
                  f"<p class='meta'>{escape(wording.outcome_summary(every, card))}</p>",
                  _kpi_table(card, "overview")]
    for o in outcomes.itertuples():
        card = data.scorecard(run, period, headline_only=False, outcome=o.outcome)
        parts += [f"<h2 class='page' id='outcome-{o.outcome}'>Outcome {o.outcome}: {escape(o.name)}</h2>",
                  f"<p class='meta'>{escape(wording.outcome_summary(card))}</p>",
                  _kpi_table(card, f"outcome-{o.outcome}"),
                  "<div class='kpis'>", *(_trend_block(run, r, period) for r in card.to_dict("records")), "</div>"]
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
