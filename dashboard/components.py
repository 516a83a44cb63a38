"""Building blocks pages compose: header, KPI card, table with download, empty state."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import (
    auth,
    charts,
    data,
    downloads,
    filters,
    notes,
    release,
    sections,
    spc,
    spc_chart,
    status,
    svg,
    wording,
)
from dashboard.filters import CHANNEL, DIRECTORATE, PERIOD, SERVICE, WARD, WINDOW, Filters
from dashboard.formatting import (
    RAG,
    fmt_change,
    fmt_value,
    is_missing,
    kpi_label,
    period_label,
    rag_text,
)
from pipelines.safe_csv import safe_csv_bytes
from pipelines.safe_text import markdown_text


def require_run() -> data.Run:
    """The run to show, with a banner when it is not the latest published one (a file of
    that is damaged); a plain message and stop when nothing can be shown."""
    auth.guard_direct_page_run()  # every page starts here: none escapes the sign-in gate
    sections.begin_page()  # this run's filters and sections, not the last page's
    shown = data.published()
    names = ", ".join(markdown_text(d.split(" (", 1)[0]) for d in shown.damaged)
    if shown.run is None:
        if shown.damaged:
            st.error(f"The published data cannot be read ({names} in run {markdown_text(shown.damaged_run_id)}) "
                     "and no earlier published run is intact, so no figures can be shown. The next nightly run "
                     "publishes them again; the pipeline's operator can rerun it now.", icon=":material/report:")
        else:
            st.info("No data has been published yet. Run the nightly pipeline "
                    "(`python -m pipelines run`) and reload this page.", icon=":material/hourglass_empty:")
        st.stop()
    run = shown.run
    if shown.fell_back:
        st.warning(f"The latest published data (run {markdown_text(shown.damaged_run_id)}) cannot be read: "
                   f"{names} is damaged. Shown instead: the previous published run, {markdown_text(run.run_id)}, "
                   f"with data as at {markdown_text(run.manifest.get('data_as_at') or 'unknown')}, until the "
                   "pipeline publishes again.", icon=":material/history:")
    elif shown.damaged:
        st.warning(f"Some published data cannot be read ({names}) and no earlier run is intact: the figures "
                   "that need them are unavailable and their pages say so.", icon=":material/report:")
    return run


def release_line(run: data.Run) -> str:
    """When the data were last updated, when the next update is due (the operator's
    schedule, dashboard/release_schedule.toml) and how far the data reach, in one
    markdown line, as GOV.UK and ONS releases give it. Late updates say so."""
    m = run.manifest
    try:
        rel = release.release(m)
    except release.ScheduleError as e:  # a broken setting must not take the page down
        return (f"Data as at **{m.get('data_as_at') or 'unknown'}** · last updated {m.get('published_at', 'unknown')}"
                f" · next update: the schedule setting cannot be read ({e})")
    updated = release.when_text(rel.last_updated) if rel.last_updated else "unknown"
    line = (f"Data as at **{m.get('data_as_at') or 'unknown'}** · last updated {updated} · "
            f"next update due **{release.when_text(rel.next_due)}** ({rel.schedule.in_words()})")
    if rel.late_since:
        line = (f"**Late: the update due at {release.when_text(rel.late_since)} has not been published;** "
                f"these figures are from the last one. " + line)
    return line


def data_as_at(run: data.Run) -> None:
    st.caption(f"{release_line(run)} · run {run.run_id}")
    link_to("methodology", "Methodology: how these statistics are made")


def dq_status_line(run: data.Run) -> None:
    s = data.data_quality_status(run)
    words = {"green": "✓ Data quality: all of last night's files were accepted.",
             "amber": (f"! Data quality: {s['files_refused']} file(s) refused, {s['rows_quarantined_open']:,} "
                       "row(s) held back"),
             "red": f"✗ Data quality: {s['suite_errors']} check file(s) could not be applied; some data is waiting."}
    text = with_out_of_range(words[s["level"]], s)
    if "data_quality" in st.session_state.get("_pages", {}):
        st.page_link(st.session_state["_pages"]["data_quality"], label=text, icon=":material/fact_check:")
    else:
        st.caption(text)


def out_of_range_words(s: dict) -> str:
    """The data-quality line's sentence on KPI figures outside their valid range ('' when none)."""
    n = s.get("kpi_out_of_range", 0)
    if not n:
        return ""
    return (f"{n} KPI figure{'s are' if n > 1 else ' is'} outside {'their' if n > 1 else 'its'} valid range: "
            "shown as a data problem, with no status.")


def with_out_of_range(text: str, s: dict) -> str:
    """A data-quality line with the out-of-range sentence after it."""
    extra = out_of_range_words(s)
    if not extra:
        return text
    return f"{text if text.endswith('.') else text + '.'} {extra}"


def link_to(page: str, label: str) -> None:
    """A link to another page of the app, shown only when the viewer may open it
    (app.py keeps the pages a viewer can see in session state)."""
    target = st.session_state.get("_pages", {}).get(page)
    if target is not None:
        st.page_link(target, label=label, icon=":material/arrow_forward:")


def rag_badge(rag: str | None) -> None:
    r = RAG.get(rag if isinstance(rag, str) else None, RAG[None])
    st.badge(r["label"], icon=r["icon"], color=r["badge"])


def sentence(text: str) -> str:
    """First letter upper case, the rest as it is ('Jun 2025' stays)."""
    return text[:1].upper() + text[1:]


def is_true(value) -> bool:
    """True for True/numpy True; False for False, None, NaN or pandas' NA."""
    return not is_missing(value) and bool(value)


def survey_change_text(row) -> str | None:
    """A survey figure's change on the previous wave in the words fct_survey_change
    tests it with: 'significant rise (better) on 2024-06: +3.1 points', 'no
    significant change on 2024-06'. Never a direction for a change that may be chance."""
    words = row.get("change_words")
    if not isinstance(words, str):
        return None
    previous = row.get("change_previous_period", row.get("previous_period"))
    if isinstance(previous, str) and not words.startswith(("first wave", "not published")):
        words += f" on {period_label(previous, short=True)}"
    if is_true(row.get("significant")) and not is_missing(row.get("change")):
        words += f": {fmt_change(row['change'], row['unit'])}"
        if isinstance(row.get("better_or_worse"), str):
            words += f", {row['better_or_worse']}"
    flag = weighting_change_text(row)
    return f"{words}. {flag}" if flag else words


def weighting_change_text(row) -> str | None:
    """When the two waves compared were weighted differently (fct_survey_change.weighting_changed):
    'Weighting changed (2025-06 raked by the pipeline, 2026-06 weighted by the agency): part of
    the change may be the method'."""
    if not is_true(row.get("weighting_changed")):
        return None
    note = row.get("weighting_note")
    return ("Weighting changed" + (f" ({note})" if isinstance(note, str) else "")
            + ": part of the change may be the method")


def kpi_card(row: pd.Series) -> None:
    """One KPI: the figure (printed by the catalogue's status rule, so it never
    contradicts its status), the status in words and a symbol, the target, a
    sparkline with a text alternative, and how it compares:

    - a monthly measure: its SPC variation and assurance (fct_kpi_spc as it stood
      that month), as icons with words; no arrow, since most month-to-month moves
      are common-cause variation;
    - a survey measure: whether the target lies within its 95% interval, and its
      change on the previous wave in the words of the significance test (an arrow
      only for a significant change of a survey wave measure).

    A figure outside its KPI's valid range says "data problem" instead, with a
    link to Data quality for those who may open it."""
    unit = row["unit"]
    survey = row.get("kind") == "survey"
    monthly = row.get("cadence") == "monthly"
    problem = status.is_data_problem(row)
    with st.container(border=True, width=CARD_WIDTH):
        delta = None
        if survey and not monthly and not problem:
            if is_true(row.get("significant")) and not is_missing(row.get("change")):
                word = row.get("better_or_worse")
                delta = fmt_change(row["change"], unit, short=True) + (f", {word}" if isinstance(word, str) else "")
        # The name as text above the figure (a metric label is cut short in narrow columns),
        # with its base where figures of the same name differ.
        st.markdown(f"**{kpi_label(row)}**")
        help_text = row["definition"] + (f"\n\nSource: {row['source']}" if row.get("source") else "")
        st.metric(
            label=row["name"],
            label_visibility="collapsed",
            value="Data problem" if problem else status.figure(row),
            delta=delta,
            delta_color="off" if row["polarity"] == "none" else ("normal" if row["polarity"] == "higher"
                                                                 else "inverse"),
            help=help_text,
        )
        status_badge(row)
        if problem:
            st.caption(status.data_problem_text(row))
            link_to("data_quality", "See the Data quality page")
        spark = svg.sparkline(row.get("spark") or [], label=wording.spark_alt(row), width=CARD_WIDTH - 40)
        if spark:
            st.markdown(spark, unsafe_allow_html=True)
        if monthly:
            lines = [spc.variation_line(_str(row.get("variation")), _str(row.get("special_cause_rule")),
                                        _str(row.get("signal")))]
            assurance = spc.assurance_line(_str(row.get("assurance")))
            if assurance:
                lines.append(assurance)
            st.markdown("<br>".join(f'<span style="font-size:0.875rem">{x}</span>' for x in lines),
                        unsafe_allow_html=True, help=_spc_help(row))
        lines = [f"Target {status.target_text(row['target'], unit, row['polarity'])}"
                 if not is_missing(row["target"]) else "No target set"]
        if survey:
            margin = status.margin_text(row) if not problem else None
            if margin:
                lines.append(margin)
            if row["period"]:
                # a wave's label comes from the extract
                lines.append(f"Wave {markdown_text(row['period'])}" if not monthly
                             else period_label(row["period"], short=True))
            previous = row.get("change_previous_period", row.get("previous_period"))
            change = survey_change_text({**row, "change_previous_period":
                                         markdown_text(previous) if isinstance(previous, str) else previous})
            if change:
                lines.append(sentence(change))
            if not is_missing(row.get("base_n")):
                lines.append(f"Base {int(row['base_n']):,} respondents")
        elif row["period"]:
            before = wording.previous_text(row)
            lines.append(period_label(row["period"], short=True) + (f" · {before}" if before else ""))
            year_ago = wording.year_ago_text(row)
            if year_ago:
                lines.append(f"A year before, {year_ago}")
        if row.get("suppressed"):
            lines.append("Fewer than 10 answers: not shown")
        lines += notes.card_lines(row)  # provisional flag and the owner's note (dashboard/notes.py)
        st.caption("  \n".join(lines))


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


def _spc_help(row) -> str:
    """The tooltip under the variation and assurance lines: what they mean and where the limits come from."""
    parts = []
    why = spc.variation_reason(_str(row.get("special_cause_rule")), _str(row.get("signal")))
    if why and _str(row.get("variation")) != "common_cause":
        parts.append(f"Why a special cause: {why}.")
    parts.append("Variation and assurance follow NHS England's Making Data Count method (statistical process "
                 "control): a month is a special cause only when it breaks one of the rules (outside the process "
                 "limits, a run or trend of 7, 2 of 3 close to a limit); anything else is common-cause variation.")
    meaning = spc.assurance_explained(_str(row.get("assurance")))
    if meaning:
        parts.append(f"Assurance: {meaning}.")
    note = spc.limits_note(row)
    if note:
        parts.append(sentence(note) + ".")
    parts.append("See the methodology page for the rules.")
    return "\n\n".join(parts)


def status_badge(row) -> None:
    """The status as a badge: a word and an icon, never colour alone; a data problem says so."""
    if status.is_data_problem(row):
        d = status.DATA_PROBLEM
        st.badge(d["label"], icon=d["icon"], color=d["badge"])
    else:
        rag_badge(row.get("rag"))


def outcome_summary(every: pd.DataFrame, shown: pd.DataFrame | None = None) -> None:
    """An outcome's status line: every measure counted, those off target named (wording.outcome_summary)."""
    st.caption(wording.outcome_summary(every, shown))


# Cards keep one width and wrap: four in a row at 1366 px, two on a tablet.
CARD_WIDTH = 216


def scorecard_grid(card: pd.DataFrame, columns: int = 4) -> None:
    """KPI cards side by side, wrapping onto more rows as the screen narrows."""
    with st.container(horizontal=True, gap="small"):
        for _, row in card.iterrows():
            kpi_card(row)


def glance_section(key: str, title: str, card: pd.DataFrame, f: Filters) -> None:
    """An outcome's KPI cards for the month and organisation chosen. Cards of
    measures not published at that level show the whole council, and the note
    names them."""
    with sections.section(key, title, follows={PERIOD, DIRECTORATE, SERVICE},
                          instead={WINDOW: "each card shows the month chosen and its last 13 periods",
                                   CHANNEL: "each card counts every channel", WARD: "each card counts every ward"}):
        if f.breakdown and len(card):
            whole = card.loc[card["breakdown"] != f.breakdown, "name"].tolist()
            if whole:
                names = whole[0] if len(whole) == 1 else f"{', '.join(whole[:-1])} and {whole[-1]}"
                for k in (DIRECTORATE, SERVICE):
                    sections.not_followed(k, f"{names} {'is' if len(whole) == 1 else 'are'} not published at "
                                             "this level, so "
                                             f"{'its card shows' if len(whole) == 1 else 'their cards show'} "
                                             "the whole council")
        outcome_summary(card)  # every measure counted, those off target named
        scorecard_grid(card)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV safe to open in Excel: formula-like cells are neutralised."""
    return safe_csv_bytes(df)


# Mart columns as people read them in tables and downloads, with a number format.
COLUMN_LABELS = {
    "period": ("Month", None), "financial_year": ("Financial year", None), "stage_name": ("Stage", None),
    "label": ("Name", None), "directorate": ("Directorate", None), "category": ("Category", None),
    "received": ("Received", "localized"), "responded": ("Answered", "localized"),
    "on_time": ("Answered on time", "localized"), "on_time_rate": ("Share answered on time", "percent"),
    "decided": ("Decided (not withdrawn)", "localized"), "upheld": ("Upheld or partly upheld", "localized"),
    "upheld_rate": ("Share upheld", "percent"), "remedy_gbp": ("Remedies (£)", "%.2f"),
    "mean_working_days": ("Working days to answer (mean)", "%.1f"),
    "contacts": ("Contacts", "localized"), "contacts_at_baseline_mix": ("Contacts at the baseline mix", "%.1f"),
    "cost_at_actual_mix_gbp": ("Cost at the actual mix (£)", "%.2f"),
    "cost_at_baseline_mix_gbp": ("Cost at the baseline mix (£)", "%.2f"), "saving_gbp": ("Saving (£)", "%.2f"),
    "months_costed": ("Months costed", None), "months": ("Months", None),
    "is_projection": ("Projected", None), "actual": ("Actual", "percent"), "trend": ("Trend", "percent"),
    "trend_low": ("Likely from", "percent"), "trend_high": ("Likely to", "percent"), "target": ("Target", None),
}


def for_people(df: pd.DataFrame, column_config: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Rename mart columns to words (COLUMN_LABELS) and give them a number format,
    keeping any format the page chose."""
    rename = {c: COLUMN_LABELS[c][0] for c in df.columns if c in COLUMN_LABELS}
    config = {rename.get(k, k): v for k, v in (column_config or {}).items()}
    for raw, new in rename.items():
        fmt = COLUMN_LABELS[raw][1]
        if fmt and new not in config:
            config[new] = st.column_config.NumberColumn(format=fmt)
    return df.rename(columns=rename), config


def table_with_download(df: pd.DataFrame, *, label: str, file_name: str, key: str,
                        column_config: dict | None = None, expanded: bool = False) -> None:
    """The data behind a chart, a click away, with a CSV download (columns in words)."""
    df, column_config = for_people(df, column_config)
    with st.expander(f"{label}: data table and download", expanded=expanded):
        st.dataframe(df, hide_index=True, width="stretch", column_config=column_config)
        downloads.download_button("Download CSV", lambda: to_csv_bytes(df), file_name=file_name, mime="text/csv",
                                  key=f"dl-{key}", icon=":material/download:")


def static_table(df: pd.DataFrame) -> None:
    """A small table drawn with st.table, which reads every cell and index label as
    markdown: text cells are shown as they are, never as links or markup."""
    def plain(v):
        return markdown_text(v) if isinstance(v, str) else v

    shown = df.map(plain)
    if isinstance(shown.index, pd.MultiIndex):
        shown.index = pd.MultiIndex.from_tuples([tuple(plain(v) for v in t) for t in shown.index],
                                                names=shown.index.names)
    else:
        shown.index = shown.index.map(plain)
    st.table(shown)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def rag_column(df: pd.DataFrame, col: str = "rag") -> pd.Series:
    return df[col].map(rag_text)


# ---------------------------------------------------------------- page frame
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def start_page(title: str, intro: str | None = None, **filter_options) -> tuple[data.Run, Filters]:
    """Title, "data as at", the page's sidebar filters and an intro; stops with a
    plain message when nothing is published yet."""
    run = require_run()
    st.title(title)
    data_as_at(run)
    f = filters.sidebar(run, **filter_options)
    if f is None:
        empty_state("No complete month of data has been published yet.")
        st.stop()
    if intro:
        st.markdown(intro)
    return run, f


def chart(fig, key: str) -> None:
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=f"chart-{key}")


def events_caption(events, start, end) -> None:
    """Under a trend chart: the numbered events marked on it, in words."""
    shown = charts.events_in_range(events, start, end)
    if len(shown):
        st.caption("Events marked: " + charts.events_text(shown))


def number_format(unit: str) -> str:
    """A Streamlit column format for a KPI unit."""
    return {"rate": "percent", "gbp": "£%.2f", "count": "localized", "seconds": "%.0f s",
            "per_10k": "%.1f"}.get(unit, "localized")


def kpi_table(series: pd.DataFrame, info: pd.Series, spc_points: pd.DataFrame | None = None
              ) -> tuple[pd.DataFrame, dict]:
    """A KPI's rows as a table people read (and download): each figure as the page prints
    it (the status rule) beside its status, the unrounded value in its own column, and for
    a monthly measure its SPC variation, assurance and limits (the chart's reading)."""
    survey = info.get("kind") == "survey"
    shown, statuses = status.shown_and_status(series, info)
    table = pd.DataFrame({"Measure": kpi_label(info),
                          "Period": series["period"].map(lambda p: period_label(p, short=True)),
                          "Value": shown,
                          "Target": [status.target_text(t, info["unit"], info["polarity"]) for t in series["target"]],
                          "Status": statuses})
    if spc_points is not None and len(spc_points):
        by = spc_points.set_index("period")
        table["Variation"] = [spc.variation_words(_str(by["variation"].get(p)), _str(by["special_cause_rule"].get(p)),
                                                  _str(by["signal"].get(p))) if p in by.index else "–"
                              for p in series["period"]]
        table["Assurance"] = [spc.assurance_words(_str(by["assurance"].get(p))) or "–" if p in by.index else "–"
                              for p in series["period"]]
        for col, name in (("mean", "Mean"), ("lower_limit", "Lower process limit"),
                          ("upper_limit", "Upper process limit")):
            table[name] = [by[col].get(p) if p in by.index else None for p in series["period"]]
    # the figure as computed (a rate as a fraction), for analysts; a data problem's too, so it can be traced
    table["Value (unrounded)"] = series["value"].to_numpy()
    table["Target (unrounded)"] = series["target"].to_numpy()
    table["Numerator"] = series["numerator"].to_numpy()
    table["Denominator"] = series["denominator"].to_numpy()
    if survey:
        for col, name in (("base_n", "Respondents (unweighted)"), ("ci_low", "95% interval from"),
                          ("ci_high", "95% interval to"), ("suppressed", "Suppressed (under 10 answers)")):
            table[name] = series[col].to_numpy()
    fmt = number_format(info["unit"])
    config = {c: st.column_config.NumberColumn(format=fmt) for c in (
        "Mean", "Lower process limit", "Upper process limit", "95% interval from", "95% interval to")}
    return table, config


def about_kpi(info: pd.Series) -> str:
    """Definition, source, owner and baseline of a KPI, in a few plain lines."""
    lines = [f"**Definition.** {info['definition']}", f"**Source.** {info['source']}",
             f"**Owner.** {info['owner']}"]
    if not is_missing(info.get("baseline_value")) or isinstance(info.get("baseline_source"), str):
        base = fmt_value(info["baseline_value"], info["unit"]) if not is_missing(info.get("baseline_value")) else ""
        lines.append(f"**Baseline.** {base} {info.get('baseline_period') or ''} — {info.get('baseline_source') or ''}")
    if isinstance(info.get("target_status"), str):
        lines.append(f"**Targets** are {info['target_status']}"
                     + (" (to be agreed by the Board)." if info["target_status"] == "proposed" else "."))
    return "\n\n".join(lines)


def kpi_anchor(name: str) -> str:
    """The anchor Streamlit gives a heading of this text (its slug), so a link can open the page at a KPI's chart."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"([a-z0-9])'([ts])(?![a-z0-9])", r"\1\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def kpi_trend(run: data.Run, kpi_id: str, f: Filters, *, key: str, events: pd.DataFrame | None = None,
              height: int = 320, breakdown: str | None = None) -> None:
    """A KPI's trend against its target (with events), its definition and source
    on hover and in an expander, and its data a click away with a download.
    It follows the directorate/service filter when the KPI is published that way
    (or the one `breakdown` given), and says so when it cannot. A monthly measure
    says its SPC variation and assurance under the chart, and draws its mean and
    process limits on request. The heading is the KPI's name, so other pages can
    link to it (kpi_anchor)."""
    info = data.kpi_info(run, kpi_id)
    wanted = f.breakdown if breakdown is None else breakdown
    bd = wanted if data.has_breakdown(run, kpi_id, wanted) else ""
    series = data.kpi_series(run, kpi_id, f.period, f.months, bd)
    if not bd:
        where = "the whole council"
    elif breakdown is None:
        where = f.scope(run)
    else:
        where = data.label(run, *bd.split("=", 1))
    st.markdown(f"#### {info['name']}", help=info["definition"])
    base = kpi_label(info)[len(info["name"]):].strip(" ()")
    st.caption((sentence(where) if where != "the whole council" else "The whole council")
               + (f" · of {base}" if base else ""))
    with sections.section(f"kpi-{key}", None, heading="none", follows=kpi_trend_follows(info, breakdown),
                          instead={WINDOW: "every wave of the survey is shown",
                                   DIRECTORATE: "the whole council is shown", SERVICE: "the whole council is shown",
                                   CHANNEL: "every channel is counted", WARD: "every ward is counted"}):
        if wanted and not bd:
            for k in kpi_trend_follows(info, wanted) - {PERIOD, WINDOW}:
                sections.not_followed(k, "it is not published at this level, so the whole council is shown")
        if series.empty or series["value"].notna().sum() == 0:
            empty_state(f"No figures for {info['name'].lower()} up to {period_label(f.period)} "
                        f"for {where}.")
            return
        _trend_body(run, kpi_id, info, series, bd, f, key=key, events=events, height=height)


def _trend_body(run: data.Run, kpi_id: str, info: pd.Series, series: pd.DataFrame, bd: str, f: Filters, *,
                key: str, events: pd.DataFrame | None, height: int) -> None:
    problems = series[data._valid(series) == False]  # noqa: E712 - a boolean Series
    plotted = series.assign(value=series["value"].where(data._valid(series)))  # a data problem is not a result
    monthly = info.get("cadence") == "monthly"
    survey = info.get("kind") == "survey"
    points = data.kpi_spc(run, (kpi_id,), (bd,)) if monthly else None
    if points is not None:
        points = points[points["period"].isin(series["period"])]
    if not monthly:
        chart(charts.wave_chart(plotted, x="period", y="value", unit=info["unit"], target="target", height=height),
              key)
    else:
        fig = charts.trend_chart(plotted, x="period_month", y="value", unit=info["unit"], target="target",
                                 events=events, height=height, ci=("ci_low", "ci_high") if survey else None)
        slot = st.empty()  # the chart above its toggle
        show_limits = points is not None and len(points) and st.toggle(
            "Show mean and process limits", key=f"spc-{key}",
            help="Making Data Count: the mean, the natural process limits (3 sigma) and the months that are a "
                 "special cause, marked by shape. Limits and signals use every month published so far.")
        if show_limits:
            spc_chart.add_spc(fig, points, x="period_month", unit=info["unit"])
        with slot.container():
            chart(fig, key)
    if events is not None and monthly:
        events_caption(events, series["period_month"].min(), series["period_month"].max())
    for p in problems.itertuples():
        st.caption(f"⚠ {period_label(p.period)}: data problem. The figure is outside the valid range for this "
                   "measure, so it is not shown as a result.")
    last = series.dropna(subset=["value"]).iloc[-1]
    row = status.with_kpi(info, last)
    st.caption(f"{markdown_text(period_label(last['period']))}: **{status.shown_value(row)}** · "
               f"Target {status.target_text(last['target'], info['unit'], info['polarity'])} · "
               f"{status.status_text(row)}")
    if points is not None and len(points):
        now = points[points["period"] == last["period"]]
        if len(now):
            n = now.iloc[0]
            lines = [spc.variation_line(_str(n["as_at_variation"]), _str(n["as_at_special_cause_rule"]),
                                        _str(n["as_at_signal"]), with_reason=True)]
            assurance = spc.assurance_line(_str(n["as_at_assurance"]))
            if assurance:
                lines.append(assurance)
            st.markdown("<br>".join(f'<span style="font-size:0.875rem">{x}</span>' for x in lines),
                        unsafe_allow_html=True, help=_spc_help({**n.to_dict(), "variation": n["as_at_variation"],
                                         "special_cause_rule": n["as_at_special_cause_rule"],
                                         "signal": n["as_at_signal"], "assurance": n["as_at_assurance"]}))
    if not bd:  # owners comment on the whole council's figure
        for paragraph in notes.chart_notes(run, kpi_id, last["period"], last["rag"]):
            st.markdown(paragraph)
    table, config = kpi_table(series, info, points)
    with st.expander("Definition, source and data"):
        st.markdown(about_kpi(info))
        st.dataframe(table, hide_index=True, width="stretch", column_config=config)
        downloads.download_button("Download CSV", lambda: to_csv_bytes(table), file_name=f"{kpi_id}-{f.period}.csv",
                                  mime="text/csv", key=f"dl-{key}", icon=":material/download:")
        history = notes.commentary_table(run, kpi_id, f.period)
        if len(history):
            st.markdown("**The owner's commentary, period by period**")
            st.dataframe(history, hide_index=True, width="stretch",
                         column_config={"Commentary": st.column_config.TextColumn(width="large")})


def kpi_trend_follows(info: pd.Series, breakdown: str | None) -> set[str]:
    """The filters a KPI's trend follows: the month always; the trend window unless the
    KPI comes in survey waves (every wave is shown); the organisation filters when it
    takes them from the page (`breakdown` None), or the one breakdown it is given."""
    follows = {PERIOD}
    if info["cadence"] != "wave":
        follows.add(WINDOW)
    if breakdown is None:
        follows |= {DIRECTORATE, SERVICE}
    elif breakdown:
        dimension = breakdown.split("=", 1)[0]
        follows |= {DIRECTORATE, SERVICE} if dimension in ("directorate", "service") else {
            {"ward_code": WARD, "channel": CHANNEL}.get(dimension, dimension)}
    return follows


def chart_with_table(fig, table: pd.DataFrame, *, key: str, label: str, file_name: str,
                     column_config: dict | None = None) -> None:
    """A chart, then its data a click away with a CSV download."""
    chart(fig, key)
    table_with_download(table, label=label, file_name=file_name, key=key, column_config=column_config)


def kpi_breakdown_chart(run: data.Run, kpi_id: str, dimension: str, period: str, *, key: str,
                        title: str | None = None, height: int | None = None,
                        directorate: str | None = None) -> None:
    """A KPI split by one dimension for the month (a survey: its latest wave by
    then), as labelled bars (status in a symbol too, intervals for surveys), with
    its table. By service with a `directorate`: that directorate's services.
    One month, side by side: it follows the month (and, by service, the
    directorate), and says so for the other filters."""
    info = data.kpi_info(run, kpi_id)
    df = data.kpi_breakdown(run, kpi_id, dimension, period, directorate)
    by = dimension.replace("_", " ")
    follows = {PERIOD} | ({DIRECTORATE} if dimension == "service" else set())
    month = f"{period_label(period)} only" if info["cadence"] != "wave" else "the latest wave by the month chosen"
    with sections.section(f"breakdown-{key}", title, heading="label", help=info["definition"], follows=follows,
                          instead={WINDOW: f"it shows {month}",
                                   DIRECTORATE: f"every {by} is shown, for the whole council",
                                   SERVICE: f"every {by} is shown" + ("" if dimension == "service"
                                                                      else ", for the whole council"),
                                   CHANNEL: f"every {by} is shown" + ("" if dimension == "channel"
                                                                      else ", across every channel"),
                                   WARD: f"every {by} is shown, across every ward"}):
        _breakdown_body(info, df, kpi_id, dimension, period, key, height)


def _breakdown_body(info: pd.Series, df: pd.DataFrame, kpi_id: str, dimension: str, period: str, key: str,
                    height: int | None) -> None:
    shown = df.dropna(subset=["value"])
    if shown.empty:
        empty_state(f"No figures for {info['name'].lower()} by {dimension.replace('_', ' ')} for "
                    f"{period_label(period)}.")
        return
    survey = info.get("kind") == "survey"
    shown = shown[data._valid(shown)]  # a data problem is not a result: no bar, named below
    problems = df[~data._valid(df)]
    if len(problems):
        st.caption("⚠ Data problem, not shown: " + ", ".join(markdown_text(x) for x in problems["label"])
                   + " (outside the valid range).")
    if shown.empty:
        return
    fig = charts.bar_chart(shown, x="label", y="value", unit=info["unit"],
                           colour_by_rag="rag" if shown["rag"].notna().any() else None,
                           ci=("ci_low", "ci_high") if survey else None,
                           height=height or max(240, 34 * len(shown) + 80))
    chart(fig, key)
    hidden = len(df) - len(df.dropna(subset=["value"]))  # suppressed groups have no value
    if hidden:
        st.caption(f"{hidden} group(s) with fewer than 10 answers are not shown (suppressed).")
    if survey:
        st.caption(f"Wave {markdown_text(df['period'].iloc[0])}; lines show the 95% interval.")
    shown_values, statuses = status.shown_and_status(df, info)
    table = df.assign(shown=shown_values, status=statuses, measure=info["name"],
                      target_text=[status.target_text(t, info["unit"], info["polarity"]) for t in df["target"]])
    cols = {"measure": "Measure", "label": dimension.replace("_", " ").capitalize(), "period": "Period",
            "shown": "Value",
            "target_text": "Target", "status": "Status", "value": "Value (unrounded)",
            "numerator": "Numerator", "denominator": "Denominator"}
    if survey:
        cols.update({"base_n": "Respondents (unweighted)", "ci_low": "95% interval from",
                     "ci_high": "95% interval to", "suppressed": "Suppressed (under 10 answers)"})
    fmt = number_format(info["unit"])
    table_with_download(table[list(cols)].rename(columns=cols),
                        label=f"{kpi_label(info, dimension)} by {dimension.replace('_', ' ')}",
                        file_name=f"{kpi_id}-by-{dimension}-{period}.csv", key=key,
                        column_config={c: st.column_config.NumberColumn(format=fmt)
                                       for c in ("95% interval from", "95% interval to")})


def survey_waves(run: data.Run, survey: str, period: str, *, key: str, kpi_ids: list[str] | None = None,
                 breakdown: str = "", months: int | None = None, title: str | None = None) -> None:
    """Survey questions wave by wave (positive share, 95% interval, base), with their
    table; each wave's change on the previous one in fct_survey_change's words."""
    df = data.survey_results(run, survey, period, breakdown, months)
    if kpi_ids is not None and len(df):
        df = df[df["kpi_id"].isin(kpi_ids)]
    if title:
        st.markdown(f"**{title}**")
    shown = df.dropna(subset=["value"]) if len(df) else df
    if shown.empty:
        empty_state(f"No {data.SURVEYS.get(survey, survey).lower()} results by {period_label(period)} for this choice.")
        return
    if survey == "transactional":
        fig = charts.trend_chart(shown, x="period_month", y="value", unit="rate", series="question")
    else:
        fig = charts.wave_chart(shown, x="period", y="value", series="question")
    chart(fig, key)
    changes = data.survey_changes(run, survey)
    words = {(c.kpi_id, c.period, c.breakdown): survey_change_text({**c._asdict(), "unit": "rate"})
             for c in changes.itertuples()}
    df = df.assign(change_text=[words.get((k, p, b)) or "–" for k, p, b in
                                zip(df["kpi_id"], df["period"], df["breakdown"], strict=True)])
    shown_values, statuses = _survey_figures(run, df)
    table = df.assign(shown=shown_values, status=statuses)[
        ["question", "wording", "period", "shown", "ci_low", "ci_high", "base_n", "change_text", "suppressed",
         "target", "status", "value"]]
    table.columns = ["Question", "Wording", "Wave", "Positive share", "95% interval from", "95% interval to",
                     "Respondents (unweighted)", "Change on the previous wave", "Suppressed (under 10 answers)",
                     "Target", "Status", "Positive share (unrounded)"]
    table_with_download(table, label="Results wave by wave", file_name=f"{survey}-survey-{period}.csv", key=key,
                        column_config={c: st.column_config.NumberColumn(format="percent")
                                       for c in ("95% interval from", "95% interval to", "Target")})


def survey_latest(run: data.Run, survey: str, period: str, *, kpi_ids: list[str] | None = None) -> None:
    """Each question's latest wave by `period`: the figure, its base and, in words,
    whether it changed significantly since the previous wave (fct_survey_change).
    No arrow for a change that may be chance."""
    df = data.survey_results(run, survey, period)
    if kpi_ids is not None and len(df):
        df = df[df["kpi_id"].isin(kpi_ids)]
    if df.empty:
        return
    latest = df.sort_values("period_month").groupby("kpi_id", as_index=False).tail(1).sort_values("question")
    changes = data.survey_changes(run, survey)
    changes = changes[changes["breakdown"] == ""]
    words = {(c.kpi_id, c.period): survey_change_text({**c._asdict(), "unit": "rate"})
             for c in changes.itertuples()}
    table = pd.DataFrame({
        "Question": latest["question"],
        "Wave": latest["period"],
        "Positive share": _survey_figures(run, latest)[0],
        "Respondents": [f"{int(b):,}" if not is_missing(b) else "–" for b in latest["base_n"]],
        "Change on the previous wave": [sentence(words.get((k, p)) or "–")
                                        for k, p in zip(latest["kpi_id"], latest["period"], strict=True)],
        "Status": _survey_figures(run, latest)[1],
        "Margin of error": [status.margin_text(status.with_kpi(info, r)) or "–"
                            for info, r in zip(_infos(run, latest), latest.to_dict("records"), strict=True)],
    })
    st.dataframe(table, hide_index=True, width="stretch")


def _infos(run: data.Run, df: pd.DataFrame) -> list[pd.Series]:
    return [data.kpi_info(run, k) for k in df["kpi_id"]]


def _survey_figures(run: data.Run, df: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Survey rows' figures as printed (the status rule) and their statuses."""
    shown, statuses = [], []
    for info, r in zip(_infos(run, df), df.to_dict("records"), strict=True):
        one = pd.DataFrame([r])
        a, b = status.shown_and_status(one, info)
        shown.append(a[0])
        statuses.append(b[0])
    return shown, statuses


# ---------------------------------------------------------------- since last period (issue 12)
OUTCOME_PAGES = {1: "outcome_1", 2: "outcome_2", 3: "outcome_3"}


def page_url(page: str, period: str, anchor: str | None = None) -> str | None:
    """A link to another page at a month (and a heading on it), only when the viewer may open it."""
    target = st.session_state.get("_pages", {}).get(page)
    if target is None:
        return None
    from urllib.parse import quote

    # the month as the sidebar's selector writes it in the URL ('November 2026')
    url = f"./{target.url_path}?{filters.PERIOD}={quote(period_label(period))}"
    return url + (f"#{anchor}" if anchor else "")


def since_last_period(run: data.Run, period: str, months: int = 3) -> None:
    """The measures whose status or variation signal changed since the previous period,
    newest first, each linking to its chart on its outcome's page."""
    changes = data.status_changes(run, period, months)
    st.subheader("Since last period")
    previous = data.previous_period(run, period)
    if changes.empty:
        st.caption(f"No measure changed its status or its variation signal in the {months} months to "
                   f"{period_label(period)}." if previous else "No earlier month to compare with.")
        return
    st.caption(f"Measures whose status or variation signal changed since the month before, newest first, for the "
               f"{months} months to {period_label(period)}. A survey measure changes when a new wave arrives. "
               "Each links to its chart.")
    blocks = []
    for month, group in changes.groupby("period", sort=False):
        items = []
        for c in group.to_dict("records"):
            text = escape_markdown(wording.change_text(c))
            url = page_url(OUTCOME_PAGES.get(int(c["outcome"]), ""), month, kpi_anchor(c["name"]))
            name = escape_markdown(c["name"])
            if url:
                text = text.replace(name, f"[{name}]({url})", 1)
            items.append(f"- {text}")
        blocks.append((month, "\n".join(items)))
    latest_month, latest = blocks[0]
    st.markdown(f"**{period_label(latest_month)}**\n\n{latest}")
    if len(blocks) > 1:
        with st.expander(f"Earlier: {', '.join(period_label(m) for m, _ in blocks[1:])}"):
            st.markdown("\n\n".join(f"**{period_label(m)}**\n\n{text}" for m, text in blocks[1:]))


def escape_markdown(text: str) -> str:
    """Text from the marts shown as markdown literally (no links, emphasis or HTML from data)."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


# ---------------------------------------------------------------- data problems (issue 10)
def out_of_range_section(run: data.Run) -> None:
    """Data quality: KPI figures outside their KPI's valid range (dq_kpi_out_of_range), which
    the pages show as "data problem" with no status (data contract s7)."""
    st.subheader("KPI figures outside their valid range")
    df = data.kpi_out_of_range(run)
    st.caption("A figure a measure cannot take (a rate above 100% or below 0%, a negative count or cost) is a "
               "data-quality failure, not a result: kpi_values keeps it with no status, and every page shows "
               "\"data problem\" in its place. It usually means an extract is incomplete or inconsistent, e.g. "
               "a directorate missing from the month's headcount.")
    if df.empty:
        st.success("Every published KPI figure is inside its valid range.", icon=":material/check_circle:")
        return
    table = pd.DataFrame({
        "Measure": df["name"],
        "Period": df["period"].map(lambda p: period_label(p, short=True)),
        "Breakdown": [data.label(run, *b.split("=", 1)) if b else "Whole council" for b in df["breakdown"]],
        "Figure computed": [fmt_value(v, u, decimals=2 if u != "rate" else 1)
                            for v, u in zip(df["value"], df["unit"], strict=True)],
        "Valid range": [_range_text(lo, hi, u) for lo, hi, u in zip(df["valid_min"], df["valid_max"], df["unit"],
                                                                     strict=True)],
        "Problem": df["problem"].str.capitalize(),
        "Numerator": df["numerator"], "Denominator": df["denominator"],
        "Value (unrounded)": df["value"],
    })
    table_with_download(table, label=f"{len(df):,} KPI figure(s) outside their valid range",
                        file_name="kpi-figures-out-of-range.csv", key="out-of-range", expanded=True)


def _range_text(low, high, unit: str) -> str:
    if not is_missing(low) and not is_missing(high):
        return f"{fmt_value(low, unit)} to {fmt_value(high, unit)}"
    if not is_missing(low):
        return f"at least {fmt_value(low, unit)}"
    return f"at most {fmt_value(high, unit)}" if not is_missing(high) else "any"
