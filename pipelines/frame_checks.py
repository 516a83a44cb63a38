"""Checks on summaries computed once a source's rows are loaded
(expectations/frames/*.sql): volumes against the recent range, plausibility,
freshness, agreement across sources. They can only warn (a suite cannot make
them critical), so they flag files and never hold anything back."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract import Source
from pipelines.source_report import SourceReport, check_tally
from pipelines.validation import Suite, frame_sql, run_checks
from pipelines.warehouse import land_table


def run_frame_checks(con: duckdb.DuckDBPyConnection, source: Source, suite: Suite, parameters: dict, run_id: str,
                      report: SourceReport) -> None:
    """Checks on summaries computed after loading (expectations/frames/*.sql):
    volumes against the recent range, plausibility, freshness, cross-source."""
    frames = sorted({c.frame for c in suite.checks} - {"rows", "answers"})
    frame_files = pd.DataFrame({"file_name": report.loaded_files}, dtype="object")  # noqa: F841
    con.execute("CREATE OR REPLACE TEMP TABLE frame_files AS SELECT * FROM frame_files")
    for frame_name in frames:
        checks = suite.checks_for(frame_name)
        try:
            frame = con.execute(frame_sql(frame_name, source.name, land_table(source.name))).df()
        except (duckdb.Error, OSError) as e:
            for c in checks:
                check_tally(report, c)["error"] = f"frame {frame_name}: {e}"[:300]
            continue
        if frame.empty:
            continue
        frame.index = np.arange(len(frame), dtype=np.int64)
        gx_results: list = []
        results = run_checks(checks, frame, parameters, sensitive_columns=source.pseudonymised_columns,
                             suite_name=source.name, docs=gx_results)
        report.docs += [(source.name, f"{frame_name} frame", r) for r in gx_results]
        flagged = []
        for r in results:
            agg = check_tally(report, r.check)
            agg["rows_checked"] += r.element_count
            if r.error:
                agg["error"] = r.error
                continue
            agg["rows_failed"] += r.unexpected_count
            if r.failing_rids is not None and len(r.failing_rids) and "_file" in frame:
                failed = frame.loc[r.failing_rids, "_file"].dropna().unique()
                agg["files_failed"].update(failed)
                flagged += [(source.name, f, None, r.check.name, r.check.severity, run_id) for f in failed]
        if flagged:
            con.executemany("INSERT INTO flagged_rows VALUES (?, ?, ?, ?, ?, ?)", flagged)
