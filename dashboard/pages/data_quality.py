"""Data quality for analysts: freshness, last night's checks, rows held back, refused files, runs."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, downloads, sections
from dashboard import components as ui
from pipelines.held_back import plural, sentence
from pipelines.safe_text import markdown_text

run = ui.require_run()
st.title("Data quality")
ui.data_as_at(run)
m = run.manifest
held = data.held_back_summary(run)
# No sidebar filter on this page: every section shows the whole of the last published run.
NONE = set()

with sections.section("summary", None, heading="none", follows=NONE):
    st.markdown(
        f"Last run **{m['run_id']}** ({m['mode'].replace('_', ' ')}) published {m['published_at']}: "
        f"{m['totals']['files_new'] + m['totals']['files_changed']:,} file(s) processed, "
        f"{m['totals']['rows_loaded']:,} rows loaded, {len(m.get('files_refused', [])):,} file(s) refused. "
        f"Now **{plural(held['rows'], 'row')} held back**.")
    if held["checks_failed"] is not None:
        st.caption(sentence(held, m["totals"]["rows_quarantined"]) + " A row held back is one source record "
                   "(source, file and row number), however many checks it failed.")
    errors = data.dq_suite_errors(run)
    for e in errors.itertuples():
        st.error(f"The expectation file for **{markdown_text(e.source)}** could not be used, so that source's new "
                 f"files are waiting: {markdown_text(e.message)}", icon=":material/report:")

# ------------------------------------------------------------------ impossible KPI figures
with sections.section("out-of-range", None, heading="none", follows=NONE):
    ui.out_of_range_section(run)

# ------------------------------------------------------------------ freshness
with sections.section("freshness", "Freshness by source", follows=NONE):
    fresh = data.dq_freshness(run)
    now = pd.Timestamp(m["published_at"])
    fresh = fresh.assign(
        source_name=fresh["source"].map(data.SOURCE_LABELS),
        days_since_delivery=((now - fresh["last_delivered_at"]).dt.total_seconds() / 86400).round(1),
    )
    ui.table_with_download(
        fresh[["source_name", "rows_published", "rows_held_back", "checks_failed", "files", "files_refused",
               "last_file", "last_delivered_at", "days_since_delivery", "latest_event"]].rename(columns={
            "source_name": "Source", "files": "Files", "files_refused": "Refused", "last_file": "Newest file",
            "last_delivered_at": "Newest delivery", "days_since_delivery": "Days since delivery",
            "latest_event": "Latest event in the data", "rows_published": "Rows published",
            "rows_held_back": "Rows held back", "checks_failed": "Failed checks (a row can fail several)"}),
        label="Freshness", file_name="data-freshness.csv", key="fresh", expanded=True)

# ------------------------------------------------------------------ checks
with sections.section("checks", "Checks, as last run for each source", follows=NONE):
    st.caption("Each source's suite in expectations/ runs on its new files. Critical checks refuse a file or "
               "quarantine rows; warnings publish the rows and flag them here; info is recorded only. "
               "*Rows failing* counts the rows each check failed in that run's files: a row failing two checks "
               "counts under both.")
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
            table = table[["result", "check_name", "severity", "action", "description", "rows_checked",
                           "rows_failed", "files_failed"]]
            st.dataframe(table, hide_index=True, width="stretch",
                         column_config={"rows_checked": st.column_config.NumberColumn("Rows checked",
                                                                                      format="localized"),
                                        "rows_failed": st.column_config.NumberColumn("Rows failing",
                                                                                     format="localized")})

    docs = data.data_docs_index(run)
    if docs:
        downloads.download_button("Download this run's Data Docs (Great Expectations, HTML)",
                                  lambda: data.data_docs_zip(run.run_id, run.directory),
                                  file_name=f"data-docs-{run.run_id}.zip", mime="application/zip",
                                  icon=":material/description:", key="docs")
        st.caption(f"On the server: `{docs}`")

# ------------------------------------------------------------------ trend
with sections.section("trend", "Rows quarantined by each run", follows=NONE):
    trend = data.dq_source_runs(run)
    if trend.empty:
        ui.empty_state("No run history yet.")
    else:
        st.caption("Distinct rows quarantined from the files each run read. An incremental run reads only new "
                   "or changed files, so these do not add up to the rows held back now.")
        trend = trend.assign(source_name=trend["source"].map(data.SOURCE_LABELS)).sort_values("run_started_at")
        fig = charts.trend_chart(trend, x="run_started_at", y="rows_quarantined", unit="count",
                                 series="source_name", title="Rows quarantined by each run, by source")
        st.plotly_chart(fig, width="stretch", config={"displaylogo": False})
        ui.table_with_download(
            trend[["run_started_at", "run_id", "source_name", "files_new", "files_changed", "files_refused",
                   "rows_loaded", "rows_quarantined", "rows_flagged", "seconds"]],
            label="Quarantined rows by run", file_name="quarantine-trend.csv", key="trend")

# ------------------------------------------------------------------ rows held back
with sections.section("held-back", "Rows held back", follows=NONE):
    st.caption("One line per source row held back (file and row number), with every check it failed and why. "
               "Pseudonymised identifiers are removed. A row is released when the source system re-delivers it "
               "corrected in a later file.")
    c1, c2 = st.columns(2)
    source = c1.selectbox("Source", [None, *data.SOURCE_LABELS], key="dq_source",
                          format_func=lambda s: "All sources" if s is None else data.SOURCE_LABELS[s])
    state = c2.selectbox("Status", ["open", "released", None], key="dq_status",
                         format_func=lambda s: {"open": "Open (held back)", "released": "Released (corrected)",
                                                None: "All"}[s])
    q = data.dq_held_back(run, source, state)
    if q.empty:
        ui.empty_state("No quarantined rows for this choice.")
    else:
        by_check = (q.assign(check_name=q["checks"].str.split("; ")).explode("check_name")
                    .groupby(["source", "check_name"], as_index=False).size()
                    .rename(columns={"size": "rows"}).sort_values("rows", ascending=False))
        several = int((q["checks_failed"] > 1).sum())
        st.markdown(f"**{plural(len(q), 'row')}**, **{plural(int(q['checks_failed'].sum()), 'failed check')}**"
                    + (f": {plural(several, 'row')} failed more than one check." if several else "."))
        st.dataframe(by_check, hide_index=True, width="stretch",
                     column_config={"source": "Source", "check_name": "Check",
                                    "rows": st.column_config.NumberColumn("Rows failing it", format="localized")})
        shown = q[["source", "file_name", "row_number", "checks", "checks_failed", "severity", "reasons", "record",
                   "status", "corrected_by_file"]].head(5000)
        ui.table_with_download(shown.rename(columns={
            "source": "Source", "file_name": "File", "row_number": "Row", "checks": "Checks failed",
            "checks_failed": "Number of checks failed", "severity": "Severity", "reasons": "Why",
            "record": "Record (identifiers removed)", "status": "Status", "corrected_by_file": "Corrected by"}),
            label=f"{plural(len(q), 'row')} held back" if state == "open" else f"{plural(len(q), 'row')}",
            file_name="quarantined-rows.csv", key="quarantine", expanded=True)

# ------------------------------------------------------------------ refused files
with sections.section("refused", "Refused files", follows=NONE):
    refused = data.dq_refused_files(run)
    if refused.empty:
        st.success("No file has been refused.", icon=":material/check_circle:")
    else:
        st.caption("A file refused whole is kept out entirely: its rows are not counted as rows held back.")
        ui.table_with_download(refused, label=f"{len(refused):,} refused file(s)", file_name="refused-files.csv",
                               key="refused", expanded=True)

# ------------------------------------------------------------------ runs
with sections.section("runs", "Run history", follows=NONE):
    ui.table_with_download(data.dq_runs(run), label="Runs, newest first", file_name="runs.csv", key="runs")
