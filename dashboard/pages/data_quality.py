"""Data quality for analysts: freshness, last night's checks, quarantine, refused files, runs."""

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard import components as ui

run = ui.require_run()
st.title("Data quality")
ui.data_as_at(run)
m = run.manifest
status = data.data_quality_status(run)
st.markdown(
    f"Last run **{m['run_id']}** ({m['mode'].replace('_', ' ')}) published {m['published_at']}: "
    f"{m['totals']['files_new'] + m['totals']['files_changed']:,} file(s) processed, "
    f"{m['totals']['rows_loaded']:,} rows loaded, {m['totals']['rows_quarantined']:,} quarantined, "
    f"{len(m.get('files_refused', [])):,} file(s) refused. "
    f"**{status['rows_quarantined_open']:,}** row(s) are held in quarantine now.")
errors = data.dq_suite_errors(run)
for e in errors.itertuples():
    st.error(f"The expectation file for **{e.source}** could not be used, so that source's new files are "
             f"waiting: {e.message}", icon=":material/report:")

# ------------------------------------------------------------------ freshness
st.header("Freshness by source")
fresh = data.dq_freshness(run)
now = pd.Timestamp(m["published_at"])
fresh = fresh.assign(
    source_name=fresh["source"].map(data.SOURCE_LABELS),
    days_since_delivery=((now - fresh["last_delivered_at"]).dt.total_seconds() / 86400).round(1),
)
ui.table_with_download(
    fresh[["source_name", "files", "files_refused", "last_file", "last_delivered_at", "days_since_delivery",
           "latest_event", "rows_published", "rows_quarantined"]].rename(columns={
        "source_name": "Source", "files": "Files", "files_refused": "Refused", "last_file": "Newest file",
        "last_delivered_at": "Newest delivery", "days_since_delivery": "Days since delivery",
        "latest_event": "Latest event in the data", "rows_published": "Rows published",
        "rows_quarantined": "Rows quarantined"}),
    label="Freshness", file_name="data-freshness.csv", key="fresh", expanded=True)

# ------------------------------------------------------------------ checks
st.header("Checks, as last run for each source")
st.caption("Each source's suite in expectations/ runs on its new files. Critical checks refuse a file or "
           "quarantine rows; warnings publish the rows and flag them here; info is recorded only.")
checks = data.dq_latest_checks(run)
if checks.empty:
    ui.empty_state("No checks have run yet.")
for source, g in checks.groupby("source", sort=False):
    failed = g[(g["rows_failed"] > 0) | g["error"].notna()]
    words = "all checks passed" if failed.empty else f"{len(failed)} check(s) failed"
    with st.expander(f"{data.SOURCE_LABELS.get(source, source)}: {words} "
                     f"(run {g['run_id'].iloc[0]})", expanded=not failed.empty):
        action = {"refuse_file": "refuses the file", "quarantine_rows": "quarantines rows", "flag": "flags rows"}
        table = g.assign(
            result=["✗ could not run: " + e if isinstance(e, str) else ("✗ failed" if f else "✓ passed")
                    for e, f in zip(g["error"], g["rows_failed"] > 0, strict=True)],
            action=g["on_failure"].map(action),
            _order=(g["rows_failed"] == 0) & g["error"].isna(),  # failures first
        ).sort_values(["_order", "severity", "check_name"])
        table = table[["result", "check_name", "severity", "action", "description", "rows_checked", "rows_failed",
                       "files_failed"]]
        ui.dataframe(table, column_config={"rows_checked": st.column_config.NumberColumn(format="localized"),
                                           "rows_failed": st.column_config.NumberColumn(format="localized")})

docs = data.data_docs_index(run)
if docs:
    st.download_button("Download this run's Data Docs (Great Expectations, HTML)",
                       data=data.data_docs_zip(run.run_id, run.directory),
                       file_name=f"data-docs-{run.run_id}.zip", mime="application/zip",
                       icon=":material/description:", key="docs")
    st.caption(f"On the server: `{docs}`")

# ------------------------------------------------------------------ trend
st.header("Quarantined rows by run")
trend = data.dq_source_runs(run)
if trend.empty:
    ui.empty_state("No run history yet.")
else:
    trend = trend.assign(source_name=trend["source"].map(data.SOURCE_LABELS)).sort_values("run_started_at")
    fig = charts.trend_chart(trend, x="run_started_at", y="rows_quarantined", unit="count",
                             series="source_name", title="Rows quarantined by each run, by source",
                             axis_title="Rows quarantined")
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False})
    ui.table_with_download(
        trend[["run_started_at", "run_id", "source_name", "files_new", "files_changed", "files_refused",
               "rows_loaded", "rows_quarantined", "rows_flagged", "seconds"]],
        label="Quarantined rows by run", file_name="quarantine-trend.csv", key="trend")

# ------------------------------------------------------------------ quarantine
st.header("Quarantined rows")
st.caption("Rows held back with the check that failed and why. Pseudonymised identifiers are removed. "
           "A row is released when the source system re-delivers it corrected in a later file.")
c1, c2 = st.columns(2)
source = c1.selectbox("Source", [None, *data.SOURCE_LABELS], key="dq_source",
                      format_func=lambda s: "All sources" if s is None else data.SOURCE_LABELS[s])
state = c2.selectbox("Status", ["open", "released", None], key="dq_status",
                     format_func=lambda s: {"open": "Open (held back)", "released": "Released (corrected)",
                                            None: "All"}[s])
q = data.dq_quarantine(run, source, state)
if q.empty:
    ui.empty_state("No quarantined rows for this choice.")
else:
    by_check = q.groupby(["source", "check_name", "severity"], as_index=False).size().rename(
        columns={"size": "rows"}).sort_values("rows", ascending=False)
    ui.dataframe(by_check.assign(source=by_check["source"].map(data.SOURCE_LABELS).fillna(by_check["source"])))
    ui.table_with_download(q.head(5000), label=f"{len(q):,} quarantined row(s)",
                           file_name="quarantined-rows.csv", key="quarantine", expanded=True)

# ------------------------------------------------------------------ refused files
st.header("Refused files")
refused = data.dq_refused_files(run)
if refused.empty:
    st.success("No file has been refused.", icon=":material/check_circle:")
else:
    ui.table_with_download(refused, label=f"{len(refused):,} refused file(s)", file_name="refused-files.csv",
                           key="refused", expanded=True)

# ------------------------------------------------------------------ runs
st.header("Run history")
ui.table_with_download(data.dq_runs(run), label="Runs, newest first", file_name="runs.csv", key="runs")
