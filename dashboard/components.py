"""Building blocks pages compose: header, KPI card, table with download, empty state."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.formatting import (
    RAG,
    fmt_change,
    fmt_target,
    fmt_value,
    is_missing,
    period_label,
    rag_text,
)
from pipelines.safe_csv import safe_csv_bytes


def require_run() -> data.Run:
    """The published run, or a plain message and stop when there is none yet."""
    run = data.current_run()
    if run is None:
        st.info("No data has been published yet. Run the nightly pipeline "
                "(`python -m pipelines run`) and reload this page.", icon=":material/hourglass_empty:")
        st.stop()
    return run


def data_as_at(run: data.Run) -> None:
    m = run.manifest
    st.caption(f"Data as at **{m.get('data_as_at') or 'unknown'}** · published {m.get('published_at', '')} "
               f"· run {run.run_id}")


def dq_status_line(run: data.Run) -> None:
    s = data.data_quality_status(run)
    words = {"green": "✓ Data quality: all of last night's files were accepted.",
             "amber": (f"! Data quality: {s['files_refused']} file(s) refused and {s['rows_quarantined_open']:,} "
                       "row(s) in quarantine; figures exclude them."),
             "red": f"✗ Data quality: {s['suite_errors']} check file(s) could not be applied; some data is waiting."}
    text = words[s["level"]]
    if "data_quality" in st.session_state.get("_pages", {}):
        st.page_link(st.session_state["_pages"]["data_quality"], label=text, icon=":material/fact_check:")
    else:
        st.caption(text)


def rag_badge(rag: str | None) -> None:
    r = RAG.get(rag if isinstance(rag, str) else None, RAG[None])
    st.badge(r["label"], icon=r["icon"], color=r["badge"])


def kpi_card(row: pd.Series) -> None:
    """One KPI: value, RAG (word and icon), target, change and a sparkline."""
    unit = row["unit"]
    with st.container(border=True):
        delta, note = None, None
        if not is_missing(row["value"]) and not is_missing(row["previous_value"]):
            delta = (f"{fmt_change(row['value'] - row['previous_value'], unit, short=True)} "
                     f"vs {period_label(row['previous_period'], short=True)}")
        spark = [v for v in row["spark"] if not is_missing(v)]
        # The name as text above the figure: a metric label is cut short in narrow columns.
        st.markdown(f"**{row['name']}**")
        st.metric(
            label=row["name"],
            label_visibility="collapsed",
            value=fmt_value(row["value"], unit),
            delta=delta,
            delta_color="off" if row["polarity"] == "none" else ("normal" if row["polarity"] == "higher" else "inverse"),
            help=row["definition"],
            chart_data=spark if len(spark) > 1 else None,
            chart_type="line",
        )
        rag_badge(row["rag"])
        bits = [fmt_target(row["target"], unit, row["polarity"])]
        if row["period"]:
            bits.append(period_label(row["period"]))
        if not is_missing(row["year_ago_value"]):
            bits.append(f"a year before {fmt_value(row['year_ago_value'], unit)}")
        if not is_missing(row.get("base_n")):
            bits.append(f"base {int(row['base_n']):,} respondents")
        if note:
            bits.append(note)
        st.caption(" · ".join(bits))


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV safe to open in Excel: formula-like cells are neutralised."""
    return safe_csv_bytes(df)


def table_with_download(df: pd.DataFrame, *, label: str, file_name: str, key: str,
                        column_config: dict | None = None, expanded: bool = False) -> None:
    """The data behind a chart, a click away, with a CSV download."""
    with st.expander(f"{label}: data table and download", expanded=expanded):
        st.dataframe(df, hide_index=True, width="stretch", column_config=column_config)
        st.download_button("Download CSV", data=to_csv_bytes(df), file_name=file_name, mime="text/csv",
                           key=f"dl-{key}", icon=":material/download:")


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def rag_column(df: pd.DataFrame, col: str = "rag") -> pd.Series:
    return df[col].map(rag_text)
