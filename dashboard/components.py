"""Building blocks pages compose: header, KPI card, table with download, empty state."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, charts, data, filters, style
from dashboard.filters import Filters
from dashboard.formatting import (
    RAG,
    direction_text,
    fmt_change,
    fmt_target,
    fmt_value,
    gbp_column_format,
    is_missing,
    negligible,
    period_label,
    rag_text,
)
from pipelines.safe_csv import safe_csv_bytes


def require_run() -> data.Run:
    """The published run, or a plain message and stop when there is none yet."""
    auth.guard_direct_page_run()  # every page starts here: none escapes the sign-in gate
    run = data.current_run()
    if run is None:
        st.info("No data has been published yet. Run the nightly pipeline "
                "(`python -m pipelines run`) and reload this page.", icon=":material/hourglass_empty:")
        st.stop()
    return run


def data_as_at(run: data.Run) -> None:
    """One line under the title; the run id (for analysts) folded into its tooltip."""
    m = run.manifest
    st.caption(f"Data as at **{m.get('data_as_at') or 'unknown'}** · published {m.get('published_at', '')}",
               help=f"Pipeline run {run.run_id}")


def dq_status_line(run: data.Run) -> None:
    s = data.data_quality_status(run)
    words = {"green": "✓ Data quality: all of last night's files were accepted.",
             "amber": (f"! Data quality: {s['files_refused']} file(s) refused, {s['rows_quarantined_open']:,} "
                       "row(s) held back"),
             "red": f"✗ Data quality: {s['suite_errors']} check file(s) could not be applied; some data is waiting."}
    text = words[s["level"]]
    if "data_quality" in st.session_state.get("_pages", {}):
        st.page_link(st.session_state["_pages"]["data_quality"], label=text, icon=":material/fact_check:")
    else:
        st.caption(text)


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
    return words


def kpi_card(row: pd.Series) -> None:
    """One KPI: value, RAG (word and icon), target, change on the previous
    period and on the same period a year before (in words), and a sparkline.
    A survey figure shows its change on the previous wave only when it is
    significant (fct_survey_change), with its base."""
    unit = row["unit"]
    survey = row["kpi_id"].startswith("survey.")
    with st.container(border=True, width=CARD_WIDTH):
        delta = None
        if survey:
            if is_true(row.get("significant")) and not is_missing(row.get("change")):
                word = row.get("better_or_worse")
                delta = fmt_change(row["change"], unit, short=True) + (f", {word}" if isinstance(word, str) else "")
        elif not is_missing(row["value"]) and not is_missing(row["previous_value"]):
            # Short, so it fits a narrow card: the change and better/worse; the
            # period it is compared with is in the caption below.
            words = direction_text(row["value"], row["previous_value"], row["polarity"], unit) or ""
            word = words.rsplit(", ", 1)[1] if ", " in words else ""
            change = row["value"] - row["previous_value"]
            delta = ("no change" if negligible(change, unit)
                     else fmt_change(change, unit, short=True) + (f", {word}" if word else ""))
        spark = [v for v in row["spark"] if not is_missing(v)]
        # The name as text above the figure: a metric label is cut short in narrow columns.
        st.markdown(f"**{row['name']}**")
        help_text = row["definition"] + (f"\n\nSource: {row['source']}" if row.get("source") else "")
        st.metric(
            label=row["name"],
            label_visibility="collapsed",
            value=fmt_value(row["value"], unit),
            delta=delta,
            delta_color="off" if row["polarity"] == "none" or delta == "no change" else (
                "normal" if row["polarity"] == "higher" else "inverse"),
            delta_arrow="off" if delta == "no change" else "auto",
            help=help_text,
            chart_data=spark if len(spark) > 1 else None,
            chart_type="line",
        )
        rag_badge(row["rag"])
        lines = [f"Target {fmt_target(row['target'], unit, row['polarity'])}" if not is_missing(row["target"])
                 else "No target set"]
        if survey:
            if row["period"]:
                lines.append(f"Wave {row['period']}")
            change = survey_change_text(row)
            if change:
                lines.append(sentence(change))
            if not is_missing(row.get("base_n")):
                lines.append(f"Base {int(row['base_n']):,} respondents")
        else:
            if row["period"]:
                before = (f" · {period_label(row['previous_period'], short=True)}: "
                          f"{fmt_value(row['previous_value'], unit)}") if delta else ""
                lines.append(period_label(row["period"], short=True) + before)
            yoy = direction_text(row["value"], row["year_ago_value"], row["polarity"], unit)
            if yoy:
                lines.append(f"{period_label(row['year_ago_period'], short=True)}: "
                             f"{fmt_value(row['year_ago_value'], unit)} ({yoy})")
        if row.get("suppressed"):
            lines.append("Fewer than 10 answers: not shown")
        st.caption("  \n".join(lines))


# A card fills its cell of the grid (style.card_grid): four a row on a laptop, three or
# two on a tablet, one on a phone, every row full.
CARD_WIDTH = "stretch"


def scorecard_grid(card: pd.DataFrame) -> None:
    """KPI cards in a grid: equal heights in a row, rows of balanced length."""
    with style.card_grid(list(card["kpi_id"])):
        for _, row in card.iterrows():
            kpi_card(row)


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
    "upheld_rate": ("Share upheld", "percent"), "remedy_gbp": ("Remedies (£)", "gbp"),
    "mean_working_days": ("Working days to answer (mean)", "%.1f"),
    "contacts": ("Contacts", "localized"), "contacts_at_baseline_mix": ("Contacts at the baseline mix", "%.1f"),
    "cost_at_actual_mix_gbp": ("Cost at the actual mix (£)", "gbp"),
    "cost_at_baseline_mix_gbp": ("Cost at the baseline mix (£)", "gbp"), "saving_gbp": ("Saving (£)", "gbp"),
    "months_costed": ("Months costed", None), "months": ("Months", None),
    "is_projection": ("Projected", None), "actual": ("Actual", "percent"), "trend": ("Trend", "percent"),
    "trend_low": ("Likely from", "percent"), "trend_high": ("Likely to", "percent"), "target": ("Target", None),
    "wave": ("Wave", None), "answer": ("Answer", None), "weighted_share": ("Share (weighted)", "percent"),
    "base_n": ("Respondents (unweighted)", "localized"), "action_id": ("Action", None), "title": ("Title", None),
    "reported_on": ("Reported on", None), "status": ("Status", None), "name": ("Measure", None),
    "benchmark_name": ("Benchmark", None), "size_bytes": ("Size (bytes)", "localized"),
    "seconds": ("Seconds taken", "%.1f"), "run_id": ("Run", None), "check_name": ("Check", None),
    "source_name": ("Source", None), "rows": ("Rows", "localized"), "base_n_eff": ("Effective base", "localized"),
    "files_new": ("New files", "localized"), "files_changed": ("Changed files", "localized"),
    "files_refused": ("Refused files", "localized"), "files_removed": ("Removed files", "localized"),
}
# Internal codes a reader never needs (the row's name is beside them): left out of tables on the page.
CODE_COLUMNS = ("kpi_id", "question_id")
# Words for the parts of a mart column name that no label above covers.
NAME_PARTS = {"gbp": "(£)", "pct": "(%)", "n": "number", "id": "", "7d": "7 days", "10k": "10,000", "qty": "quantity"}


def column_words(name) -> str:
    """A mart column's header in words: COLUMN_LABELS, else 'rows_quarantined' -> 'Rows quarantined'."""
    if not isinstance(name, str):
        return name
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name][0]
    if "_" not in name and name != name.lower():
        return name  # already words ("Cost per contact (£)")
    words = " ".join(w for w in (NAME_PARTS.get(p, p) for p in name.split("_")) if w).strip()
    return (words[:1].upper() + words[1:]) if words else name


def for_people(df: pd.DataFrame, column_config: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Mart columns in words (column_words) with a number format, keeping any format the
    page chose; internal codes (CODE_COLUMNS) left out; money by the one money rule."""
    df = df.drop(columns=[c for c in CODE_COLUMNS if c in df.columns])
    rename = {c: column_words(c) for c in df.columns if column_words(c) != c}
    config = {rename.get(k, k): v for k, v in (column_config or {}).items()}
    for raw, new in rename.items():
        fmt = COLUMN_LABELS.get(raw, (None, None))[1]
        if fmt is None and isinstance(raw, str) and raw.endswith("_gbp"):
            fmt = "gbp"
        if fmt == "gbp":
            fmt = gbp_column_format(df[raw])
        if fmt and new not in config:
            config[new] = st.column_config.NumberColumn(format=fmt)
    return df.rename(columns=rename), config


def dataframe(df: pd.DataFrame, column_config: dict | None = None, **kw) -> None:
    """st.dataframe with the columns in words (for_people)."""
    df, column_config = for_people(df, column_config)
    st.dataframe(df, hide_index=True, width="stretch", column_config=column_config, **kw)


def table_with_download(df: pd.DataFrame, *, label: str, file_name: str, key: str,
                        column_config: dict | None = None, expanded: bool = False) -> None:
    """The data behind a chart, a click away, with a CSV download (columns in words)."""
    df, column_config = for_people(df, column_config)
    with st.expander(f"{label}: data table and download", expanded=expanded):
        st.dataframe(df, hide_index=True, width="stretch", column_config=column_config)
        st.download_button("Download CSV", data=to_csv_bytes(df), file_name=file_name, mime="text/csv",
                           key=f"dl-{key}", icon=":material/download:")


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


def number_format(unit: str, values=None) -> str:
    """A Streamlit column format for a KPI unit (money: the one money rule over `values`)."""
    if unit == "gbp":
        return gbp_column_format(values if values is not None else [])
    return {"rate": "percent", "count": "localized", "seconds": "%.0f s",
            "per_10k": "%.1f"}.get(unit, "localized")


def kpi_table(series: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, dict]:
    """A KPI's rows as a table people read (and download), with column formats."""
    survey = series["kpi_id"].iloc[0].startswith("survey.") if len(series) else False
    cols = {"period": "Period", "value": "Value", "target": "Target", "status": "Status",
            "numerator": "Numerator", "denominator": "Denominator"}
    if survey:
        cols.update({"base_n": "Respondents (unweighted)", "ci_low": "95% interval from", "ci_high": "95% interval to",
                     "suppressed": "Suppressed (under 10 answers)"})
    table = series.assign(status=series["rag"].map(rag_text))[list(cols)].rename(columns=cols)
    fmt = number_format(unit, series["value"])
    config = {c: st.column_config.NumberColumn(format=fmt) for c in ("Value", "Target", "95% interval from",
                                                                    "95% interval to")}
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


def kpi_trend(run: data.Run, kpi_id: str, f: Filters, *, key: str, events: pd.DataFrame | None = None,
              height: int = 320, breakdown: str | None = None) -> None:
    """A KPI's trend against its target (with events), its definition and source
    on hover and in an expander, and its data a click away with a download.
    It follows the directorate/service filter when the KPI is published that way."""
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
    st.markdown(f"**{info['name']}** · {where}", help=info["definition"])
    if wanted and not bd:
        st.caption("Not published at this level: the whole council is shown.")
    if series.empty or series["value"].notna().sum() == 0:
        empty_state(f"No figures for {info['name'].lower()} up to {period_label(f.period)} "
                    f"for {where}.")
        return
    if kpi_id.startswith("survey.") and kpi_id not in data.transactional_kpis(run):
        fig = charts.wave_chart(series, x="period", y="value", unit=info["unit"], target="target", height=height)
    else:
        fig = charts.trend_chart(series, x="period_month", y="value", unit=info["unit"], target="target",
                                 events=events, height=height,
                                 ci=("ci_low", "ci_high") if kpi_id.startswith("survey.") else None)
    chart(fig, key)
    if events is not None and not (kpi_id.startswith("survey.") and kpi_id not in data.transactional_kpis(run)):
        events_caption(events, series["period_month"].min(), series["period_month"].max())
    last = series.dropna(subset=["value"]).iloc[-1]
    st.caption(f"{period_label(last['period'])}: **{fmt_value(last['value'], info['unit'], precise=True)}** · "
               f"{fmt_target(last['target'], info['unit'], info['polarity'])} · {rag_text(last['rag'])}")
    table, config = kpi_table(series, info["unit"])
    with st.expander("Definition, source and data"):
        st.markdown(about_kpi(info))
        st.dataframe(table, hide_index=True, width="stretch", column_config=config)
        st.download_button("Download CSV", data=to_csv_bytes(table), file_name=f"{kpi_id}-{f.period}.csv",
                           mime="text/csv", key=f"dl-{key}", icon=":material/download:")


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
    its table. By service with a `directorate`: that directorate's services."""
    info = data.kpi_info(run, kpi_id)
    df = data.kpi_breakdown(run, kpi_id, dimension, period, directorate)
    if title:
        st.markdown(f"**{title}**", help=info["definition"])
    shown = df.dropna(subset=["value"])
    if shown.empty:
        empty_state(f"No figures for {info['name'].lower()} by {dimension.replace('_', ' ')} for "
                    f"{period_label(period)}.")
        return
    survey = kpi_id.startswith("survey.")
    fig = charts.bar_chart(shown, x="label", y="value", unit=info["unit"],
                           colour_by_rag="rag" if shown["rag"].notna().any() else None,
                           ci=("ci_low", "ci_high") if survey else None,
                           height=height or max(240, 34 * len(shown) + 80))
    chart(fig, key)
    hidden = len(df) - len(shown)
    if hidden:
        st.caption(f"{hidden} group(s) with fewer than 10 answers are not shown (suppressed).")
    if survey:
        st.caption(f"Wave {df['period'].iloc[0]}; lines show the 95% interval.")
    table = df.assign(status=df["rag"].map(rag_text))
    cols = {"label": dimension.replace("_", " ").capitalize(), "period": "Period", "value": "Value",
            "target": "Target", "status": "Status", "numerator": "Numerator", "denominator": "Denominator"}
    if survey:
        cols.update({"base_n": "Respondents (unweighted)", "ci_low": "95% interval from",
                     "ci_high": "95% interval to", "suppressed": "Suppressed (under 10 answers)"})
    fmt = number_format(info["unit"], df["value"])
    table_with_download(table[list(cols)].rename(columns=cols), label=f"{info['name']} by {dimension.replace('_', ' ')}",
                        file_name=f"{kpi_id}-by-{dimension}-{period}.csv", key=key,
                        column_config={c: st.column_config.NumberColumn(format=fmt)
                                       for c in ("Value", "Target", "95% interval from", "95% interval to")})


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
    table = df.assign(status=df["rag"].map(rag_text))[
        ["question", "wording", "period", "value", "ci_low", "ci_high", "base_n", "change_text", "suppressed",
         "target", "status"]]
    table.columns = ["Question", "Wording", "Wave", "Positive share", "95% interval from", "95% interval to",
                     "Respondents (unweighted)", "Change on the previous wave", "Suppressed (under 10 answers)",
                     "Target", "Status"]
    table_with_download(table, label="Results wave by wave", file_name=f"{survey}-survey-{period}.csv", key=key,
                        column_config={c: st.column_config.NumberColumn(format="percent")
                                       for c in ("Positive share", "95% interval from", "95% interval to", "Target")})


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
        "Positive share": [fmt_value(v, "rate") if not s else "not shown (under 10)"
                           for v, s in zip(latest["value"], latest["suppressed"], strict=True)],
        "Respondents": [f"{int(b):,}" if not is_missing(b) else "–" for b in latest["base_n"]],
        "Change on the previous wave": [sentence(words.get((k, p)) or "–")
                                        for k, p in zip(latest["kpi_id"], latest["period"], strict=True)],
        "Status": latest["rag"].map(rag_text),
    })
    st.dataframe(table, hide_index=True, width="stretch")
