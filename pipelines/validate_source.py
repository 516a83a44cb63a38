"""What the nightly run would refuse, quarantine or flag, without writing it.

`python -m pipelines validate` runs this in a scratch warehouse: each chunk of
a source's files is landed, typed and checked exactly as the nightly run does
(pipelines.ingest.land_and_type, pipelines.chunk_checks.check_chunk), and the
verdict is counted instead of committed. Nothing is recorded, so every file is
checked afresh.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from pipelines.chunk_checks import ChunkVerdict, check_chunk
from pipelines.contract import Source
from pipelines.ingest import file_chunks, land_and_type, usable_suite, with_run_time
from pipelines.landing import discover
from pipelines.readers import REJECTS_TABLE, LandedFile
from pipelines.reference import Reference
from pipelines.source_report import SourceReport
from pipelines.typing_sql import TYPED_TABLE


def validate_source(con: duckdb.DuckDBPyConnection, source: Source, raw_dir: Path, ref: Reference,
                    only_files: set[str] | None = None) -> SourceReport:
    """Check every file of one source (or only the named ones) in `con`, a scratch warehouse."""
    started = time.perf_counter()
    report = SourceReport(source.name)
    files, skipped = discover(raw_dir, source.name, {})
    report.skipped_files = dict(skipped)
    if only_files is not None:
        files = [f for f in files if f.name in only_files]
    report.files_seen = len(files)
    suite = usable_suite(source, ref.suite_parameters, report)
    if suite is None:
        return report
    parameters = with_run_time(ref.suite_parameters)
    for chunk in file_chunks(files):
        chunk, landed, refused = land_and_type(con, source, chunk, parameters, report)
        if chunk:
            verdict = check_chunk(con, source, suite, [f.name for f in chunk], parameters, refused, report)
            _count_chunk(con, source, landed, verdict, report)
    report.files_new = sum(f.name not in report.skipped_files for f in files)
    report.seconds = time.perf_counter() - started
    return report


def _count_chunk(con: duckdb.DuckDBPyConnection, source: Source, landed: dict[str, LandedFile],
                 verdict: ChunkVerdict, report: SourceReport) -> None:
    """What committing the chunk would have kept back, counted as the nightly run counts it."""
    refused = verdict.refused
    q, fl = verdict.quarantine_table(), verdict.flag_table()
    rows_read = {name: lf.rows_read for name, lf in landed.items()}
    parse_failed = con.execute(f"SELECT _rid FROM {TYPED_TABLE} WHERE len(_errors) > 0").df()["_rid"]
    rejects = con.execute(f"SELECT count(*) FROM {REJECTS_TABLE}").fetchone()[0]
    report.rows_read += sum(rows_read.values())
    report.rows_quarantined += len(set(q["_rid"]) | set(parse_failed)) + rejects
    report.rows_flagged += fl["_rid"].nunique()
    report.files_refused += len(refused)
    report.refused += [{"source": source.name, "file": n, "reason": r} for n, r in refused.items()]
    read_failed = con.execute(f"SELECT DISTINCT _file FROM {REJECTS_TABLE}").fetchall()
    parse_files = con.execute(f"SELECT DISTINCT _file FROM {TYPED_TABLE} WHERE len(_errors) > 0").fetchall()
    for name, count, failed_files, description in (
            ("parse", len(parse_failed), parse_files, "a value does not parse as its contract type"),
            ("read", rejects, read_failed, "a record cannot be split into the header's fields")):
        if count:
            agg = report.checks.setdefault(name, {
                "description": description, "severity": "critical", "on_failure": "quarantine_rows",
                "rows_checked": 0, "rows_failed": 0, "files_failed": set(), "error": None})
            agg["rows_failed"] += count
            agg["files_failed"].update(f[0] for f in failed_files)
