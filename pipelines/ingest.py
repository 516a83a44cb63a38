"""Bring new or changed extracts of one source into the warehouse, each night.

For each source: list the deliveries (pipelines.landing), skip those already
processed with the same content, expectations and code lists, and for the rest,
one chunk of files at a time: land them as text (pipelines.readers), type them
in SQL (pipelines.typing_sql), check them (pipelines.chunk_checks, or take the
outcome recorded for an unchanged file: pipelines.validation_cache), and commit
the chunk in one transaction (pipelines.commit). Files gone from the landing
zone are forgotten; the summary checks run last (pipelines.frame_checks).
A run killed part-way leaves every chunk either fully in or fully out.

`validate` goes through the same landing, typing and checks without writing
anything: pipelines.validate_source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator

import duckdb

from pipelines.chunk_checks import check_chunk
from pipelines.commit import commit_chunk, forget_files
from pipelines.contract import Source
from pipelines.frame_checks import run_frame_checks
from pipelines.landing import RawFile, discover, still_a_plain_file
from pipelines.readers import LandedFile, create_staging_tables, land_files
from pipelines.reference import Reference
from pipelines.settings import CONTRACT_FILE, VALIDATION_CHUNK_ROWS
from pipelines.source_report import SourceReport, record_check_runs
from pipelines.typing_sql import build_typed_table_sql
from pipelines.validation import RUN_STARTED_AT, Suite, SuiteError, check_parameters, load_suite, suite_path
from pipelines.validation_cache import (
    apply_recorded_outcomes,
    prune_validation_cache,
    record_outcomes,
    recorded_outcomes,
    remember_file_stats,
)

# Bump when reading or typing changes meaning: every file is then re-read.
INGEST_VERSION = "2"

__all__ = ["INGEST_VERSION", "RUN_STARTED_AT", "SourceReport", "ingest_source", "record_check_runs"]


def source_fingerprint(source: Source, suite: Suite, parameters: dict) -> str:
    """What a file's processing depends on besides its own bytes."""
    h = hashlib.sha256()
    h.update(INGEST_VERSION.encode())
    h.update(suite.fingerprint.encode())
    h.update(json.dumps(parameters, sort_keys=True).encode())
    h.update(CONTRACT_FILE.read_bytes())
    h.update(source.name.encode())
    return h.hexdigest()[:16]


def usable_suite(source: Source, parameters: dict, report: SourceReport) -> Suite | None:
    """The source's suite, or None with the reason in report.suite_error."""
    try:
        suite = load_suite(source.name)
        check_parameters(suite, set(parameters) | {RUN_STARTED_AT})
        return suite
    except SuiteError as e:
        report.suite_error = str(e)
    except Exception as e:  # noqa: BLE001 - whatever is wrong with one suite costs only its source
        report.suite_error = f"{suite_path(source.name)}: cannot be used ({type(e).__name__}: {e})"[:1000]
    return None


def with_run_time(parameters: dict) -> dict:
    """The suite parameters with "now", for checks that a record is not dated in the future."""
    return {**parameters, RUN_STARTED_AT: dt.datetime.now().isoformat(sep=" ", timespec="seconds")}


def file_chunks(files: list[RawFile]) -> Iterator[list[RawFile]]:
    """Files in delivery order, a chunk at a time. ~70 bytes a row in these
    extracts; the bound keeps memory flat (pandas holds a chunk's columns when
    Great Expectations runs a check SQL does not)."""
    limit_bytes = VALIDATION_CHUNK_ROWS * 70
    chunk: list[RawFile] = []
    chunk_bytes = 0
    for f in files:
        chunk.append(f)
        chunk_bytes += f.size_bytes
        if chunk_bytes >= limit_bytes:
            yield chunk
            chunk, chunk_bytes = [], 0
    if chunk:
        yield chunk


def land_and_type(con: duckdb.DuckDBPyConnection, source: Source, files: list[RawFile], parameters: dict,
                  report: SourceReport) -> tuple[list[RawFile], dict[str, LandedFile], dict[str, str]]:
    """Land a chunk as text and type it in SQL (TYPED_TABLE). Returns the files
    still there to process, what landing found in each, and the files refused
    while reading. A file gone or changed since it was listed waits for a later
    run (report.skipped_files)."""
    create_staging_tables(con, source)
    landed, refused, gone = land_files(con, source, files, set(parameters.get("question_ids", [])))
    if gone:
        report.skipped_files.update(gone)
        files = [f for f in files if f.name not in gone]
    if files:
        con.execute(build_typed_table_sql(source, [n for n, lf in landed.items() if lf.has_control_bytes]))
    return files, landed, refused


def ingest_source(con: duckdb.DuckDBPyConnection, source: Source, raw_dir, ref: Reference, run_id: str,
                  log=print) -> SourceReport:
    """Process what is new or changed for one source and commit it."""
    started = time.perf_counter()
    report = SourceReport(source.name)
    known_stats = {name: (size, mtime_ns, sha) for name, size, mtime_ns, sha in con.execute(
        "SELECT file_name, size_bytes, mtime_ns, sha256 FROM file_stats WHERE source = ?", [source.name]).fetchall()}
    files, skipped = discover(raw_dir, source.name, known_stats)
    report.skipped_files = dict(skipped)
    remember_file_stats(con, source, files)
    report.files_seen = len(files)
    suite = usable_suite(source, ref.suite_parameters, report)
    if suite is None:
        log(f"  {source.name}: expectation suite unusable, source skipped this run: {report.suite_error}")
        return report
    fingerprint = source_fingerprint(source, suite, ref.suite_parameters)
    # "Now" is not part of the fingerprint (it changes every run); an outcome it decides is never kept.
    parameters = with_run_time(ref.suite_parameters)

    known = {name: (sha, fp) for name, sha, fp in con.execute(
        "SELECT file_name, sha256, fingerprint FROM ingest_files WHERE source = ?", [source.name]).fetchall()}
    todo: list[RawFile] = []
    for f in files:
        if f.name not in known:
            report.files_new += 1
            todo.append(f)
        elif known[f.name] != (f.sha256, fingerprint):
            report.files_changed += 1
            todo.append(f)
        else:
            report.files_unchanged += 1
    for chunk in file_chunks(todo):
        _ingest_chunk(con, source, suite, chunk, parameters, fingerprint, run_id, report)
    for f in todo:  # listed, then gone or changed before it could be read: not processed this run
        if f.name in report.skipped_files:
            if f.name in known:
                report.files_changed -= 1
            else:
                report.files_new -= 1

    # A file listed but not read this run (it changed, or could not be opened)
    # keeps its rows; one that is gone, or is now a link or a folder, does not.
    present = {f.name for f in files} | {n for n in report.skipped_files
                                          if n in known and still_a_plain_file(raw_dir / source.name / n)}
    removed = sorted(set(known) - present)
    if removed:
        report.files_removed = len(removed)
        con.execute("BEGIN")
        forget_files(con, source, removed)
        con.execute("COMMIT")
    prune_validation_cache(con, source)
    run_frame_checks(con, source, suite, parameters, run_id, report)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_chunk(con: duckdb.DuckDBPyConnection, source: Source, suite: Suite, files: list[RawFile],
                  parameters: dict, fingerprint: str, run_id: str, report: SourceReport) -> None:
    files, landed, refused = land_and_type(con, source, files, parameters, report)
    if not files:
        return
    by_name = {f.name: f for f in files}
    # Files whose bytes and suite are unchanged since they were last checked (a
    # --full-refresh re-reads them) take the recorded outcome: the checks run on the rest.
    recorded = recorded_outcomes(con, source, [by_name[n] for n in landed], fingerprint)
    verdict = check_chunk(con, source, suite, [f.name for f in files], parameters, refused, report,
                          recorded=set(recorded))
    record_outcomes(con, source, [by_name[n] for n in landed if n not in recorded], fingerprint, verdict, run_id)
    if recorded:
        apply_recorded_outcomes(con, source, suite, fingerprint, recorded, report, verdict)
    commit_chunk(con, source, files, landed, verdict, fingerprint, run_id, report)
