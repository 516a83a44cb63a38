"""What the suite said of each file, kept so it is not asked again.

A file's outcome (its refusal, its failing rows by row number, each check's
counts) is recorded against its content (sha256) and the fingerprint of what
its processing depends on (suite, parameters, contract, code version). A later
run, a --full-refresh included, re-applies the recorded outcome to a file
whose bytes and fingerprint are unchanged instead of running its checks again.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pipelines.chunk_checks import ChunkVerdict
from pipelines.contract import Source
from pipelines.landing import RawFile
from pipelines.source_report import SourceReport, check_tally
from pipelines.typing_sql import TYPED_TABLE
from pipelines.validation import RUN_STARTED_AT, Suite


def remember_file_stats(con, source: Source, files: list[RawFile]) -> None:
    stats = pd.DataFrame({"file_name": [f.name for f in files], "size_bytes": [f.size_bytes for f in files],  # noqa: F841
                          "mtime_ns": [f.mtime_ns for f in files], "sha256": [f.sha256 for f in files]},
                         dtype="object")
    con.execute("BEGIN")
    con.execute("DELETE FROM file_stats WHERE source = ?", [source.name])
    con.execute("INSERT INTO file_stats SELECT ?, file_name, size_bytes::BIGINT, mtime_ns::BIGINT, sha256 "
                "FROM stats", [source.name])
    con.execute("COMMIT")


def prune_validation_cache(con, source: Source) -> None:
    """Keep outcomes only for contents still in the landing zone."""
    for table in ("validation_cache", "validation_cache_rows"):
        con.execute(f"DELETE FROM {table} WHERE source = ? AND sha256 NOT IN "
                    "(SELECT sha256 FROM file_stats WHERE source = ?)", [source.name, source.name])


def recorded_outcomes(con, source: Source, files: list[RawFile], fingerprint: str) -> dict[str, tuple]:
    """file name -> (sha256, refused reason, {check: [rows checked, rows failed]})."""
    if not files:
        return {}
    wanted = pd.DataFrame({"file_name": [f.name for f in files], "sha256": [f.sha256 for f in files]},  # noqa: F841
                          dtype="object")
    return {name: (sha, reason, json.loads(stats)) for name, sha, reason, stats in con.execute("""
        SELECT w.file_name, c.sha256, c.refused_reason, c.check_stats
        FROM wanted w JOIN validation_cache c ON c.sha256 = w.sha256
        WHERE c.source = ? AND c.fingerprint = ?""", [source.name, fingerprint]).fetchall()}


def record_outcomes(con, source: Source, files: list[RawFile], fingerprint: str, verdict: ChunkVerdict,
                    run_id: str) -> None:
    """Record, per file, what the suite said of it: failing rows, per-check counts, refusal.

    Not recorded when a check could not run or failed without naming rows: the
    next run must then ask Great Expectations again."""
    results, frames, refused = verdict.results, verdict.frames, verdict.refused
    if not files or any(r.error or (not r.success and (r.failing_rids is None or not len(r.failing_rids)))
                        for r in results):
        return
    ids = verdict.ids
    per_frame_counts = {name: frame.per_file for name, frame in frames.items() if not frame.empty}
    # A file that failed a check against the run's time (a future date) is asked
    # again next time: the same row may be valid once that date has passed.
    timely = {name for r in results if RUN_STARTED_AT in json.dumps(r.check.config)
              and r.failing_rids is not None for name in ids.files(np.unique(r.failing_rids))}
    names = {f.name for f in files} - timely
    if not names:
        return
    stats: dict[str, dict] = {n: {} for n in names}
    cached_rows: list[pd.DataFrame] = []
    for r in results:
        counts = per_frame_counts.get(r.check.frame, {})
        failed: dict = {}
        if r.failing_rids is not None and len(r.failing_rids):
            rids = np.unique(r.failing_rids)
            files_of = ids.files(rids)
            failed = pd.Series(files_of).value_counts().to_dict()
            if r.check.on_failure != "refuse_file":
                cached_rows.append(pd.DataFrame({
                    "file_name": files_of, "row_number": ids.rows(rids), "check_name": r.check.name,
                    "severity": r.check.severity, "on_failure": r.check.on_failure, "reason": r.check.description,
                    "masked_column": r.check.column if r.check.personal_data else None}))
        for n in names:
            stats[n][r.check.name] = [int(counts.get(n, 0)), int(failed.get(n, 0))]
    sha_of = {f.name: f.sha256 for f in files}
    entries = pd.DataFrame({  # noqa: F841
        "sha256": [sha_of[n] for n in names], "refused_reason": [refused.get(n) for n in names],
        "check_stats": [json.dumps(stats[n]) for n in names]}, dtype="object").drop_duplicates("sha256")
    crow = (pd.concat(cached_rows, ignore_index=True) if cached_rows else  # noqa: F841
            pd.DataFrame(columns=["file_name", "row_number", "check_name", "severity", "on_failure", "reason",
                                  "masked_column"]))
    crow = crow[crow["file_name"].isin(names)].copy()
    crow["sha256"] = crow["file_name"].map(sha_of)
    crow = crow.drop_duplicates(["sha256", "row_number", "check_name"])
    con.execute("BEGIN")
    try:
        for table in ("validation_cache", "validation_cache_rows"):
            con.execute(f"DELETE FROM {table} WHERE source = ? AND fingerprint = ? "
                        "AND sha256 IN (SELECT sha256 FROM entries)", [source.name, fingerprint])
        con.execute("INSERT INTO validation_cache SELECT ?, sha256, ?, refused_reason, check_stats::JSON, ? "
                    "FROM entries", [source.name, fingerprint, run_id])
        con.execute("""INSERT INTO validation_cache_rows
            SELECT ?, sha256, ?, row_number::BIGINT, check_name, severity, on_failure, reason, masked_column
            FROM crow""", [source.name, fingerprint])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def apply_recorded_outcomes(con, source: Source, suite: Suite, fingerprint: str, recorded: dict[str, tuple],
                            report: SourceReport, verdict: ChunkVerdict) -> None:
    """Add to the verdict what was recorded for files whose bytes and suite are
    unchanged: their refusal, their failing rows (by row id in this chunk) and
    their counts in each check's tally."""
    checks = {c.name: c for c in suite.checks}
    for name, (_sha, reason, stats) in recorded.items():
        if reason:
            verdict.refused.setdefault(name, reason)
        for check_name, (checked, failed) in stats.items():
            if check_name not in checks:
                continue
            agg = check_tally(report, checks[check_name])
            agg["rows_checked"] += checked
            agg["rows_failed"] += failed
            if failed:
                agg["files_failed"].add(name)
    hits = pd.DataFrame({"file_name": list(recorded), "sha256": [v[0] for v in recorded.values()]},  # noqa: F841
                        dtype="object")
    rows = con.execute(f"""
        SELECT t._rid, r.check_name, r.severity, r.on_failure, r.reason, r.masked_column
        FROM hits h
        JOIN validation_cache_rows r ON r.sha256 = h.sha256 AND r.source = ?
        JOIN {TYPED_TABLE} t ON t._file = h.file_name AND t._row = r.row_number
        WHERE len(t._errors) = 0 AND r.fingerprint = ?
    """, [source.name, fingerprint]).df()
    if rows.empty:
        return
    q = rows[rows["on_failure"] == "quarantine_rows"]
    if not q.empty:
        verdict.quarantined.append(q[["_rid", "check_name", "severity", "reason", "masked_column"]].reset_index(drop=True))
    f = rows[rows["on_failure"] == "flag"]
    if not f.empty:
        verdict.flagged.append(f[["_rid", "check_name", "severity"]].reset_index(drop=True))
