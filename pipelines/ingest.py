"""Bring new or changed extracts of one source into the warehouse.

For each source: find the deliveries, skip those already processed with the
same content, expectations and code lists, land the rest as text, type them,
validate them with the source's Great Expectations suite (its row-level checks
compiled to SQL over the typed rows in DuckDB by pipelines.checks_sql, Great
Expectations on pandas for the rest and for summaries), and then, in one
transaction per chunk of files, replace whatever those files delivered before
with the accepted rows, the quarantined rows (with reasons) and the refusals.
A run killed part-way leaves every chunk either fully in or fully out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines import settings
from pipelines.contract import Source
from pipelines.landing import RawFile, discover, still_a_plain_file
from pipelines.readers import (
    ANSWERS_TABLE,
    REJECTS_TABLE,
    LandedFile,
    create_staging_tables,
    land_files,
)
from pipelines.reference import Reference
from pipelines.settings import CONTRACT_FILE, VALIDATION_CHUNK_ROWS
from pipelines.typing_sql import TYPED_TABLE, build_typed_table_sql
from pipelines.validation import (
    Check,
    CheckResult,
    Suite,
    SuiteError,
    check_parameters,
    frame_sql,
    load_suite,
    run_checks,
)
from pipelines.warehouse import land_table

# Bump when reading or typing changes meaning: every file is then re-read.
INGEST_VERSION = "2"
_log = logging.getLogger(__name__)
RUN_STARTED_AT = "run_started_at"


@dataclass
class SourceReport:
    source: str
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    files_refused: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    skipped_files: dict[str, str] = field(default_factory=dict)  # name -> why it was not read
    refused: list[dict] = field(default_factory=list)
    suite_error: str | None = None
    # critical checks that could not run on the data: {check, error, files held back}
    checks_not_run: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    seconds_validating: float = 0.0
    checks: dict = field(default_factory=dict)  # check name -> aggregate for check_runs
    docs: list = field(default_factory=list)     # (source, batch label, GX result) for Data Docs
    loaded_files: list[str] = field(default_factory=list)

    @property
    def files_processed(self) -> int:
        return self.files_new + self.files_changed

    def problems(self) -> list[str]:
        """What kept this source's checks from being applied, as the operator should read it."""
        out = [self.suite_error] if self.suite_error else []
        out += [f"the critical check {c['check']!r} could not run ({c['error']}): {len(c['files'])} file(s) held "
                f"back ({', '.join(c['files'][:3])}{', ...' if len(c['files']) > 3 else ''})"
                for c in self.checks_not_run]
        return out


def source_fingerprint(source: Source, suite: Suite, parameters: dict) -> str:
    """What a file's processing depends on besides its own bytes."""
    h = hashlib.sha256()
    h.update(INGEST_VERSION.encode())
    h.update(suite.fingerprint.encode())
    h.update(json.dumps(parameters, sort_keys=True).encode())
    h.update(CONTRACT_FILE.read_bytes())
    h.update(source.name.encode())
    return h.hexdigest()[:16]


def ingest_source(con: duckdb.DuckDBPyConnection, source: Source, raw_dir: Path, ref: Reference,
                  run_id: str, log=print, only_files: set[str] | None = None,
                  dry_run: bool = False) -> SourceReport:
    """Process what is new or changed for one source. With dry_run, validate and
    report but write nothing (the `validate` command)."""
    started = time.perf_counter()
    report = SourceReport(source.name)
    known_stats = {name: (size, mtime_ns, sha) for name, size, mtime_ns, sha in con.execute(
        "SELECT file_name, size_bytes, mtime_ns, sha256 FROM file_stats WHERE source = ?", [source.name]).fetchall()}
    files, report.skipped_files = discover(raw_dir, source.name, known_stats)
    report.skipped_files = dict(report.skipped_files)
    if not dry_run and only_files is None:
        _remember_file_stats(con, source, files)
    if only_files is not None:
        files = [f for f in files if f.name in only_files]
    report.files_seen = len(files)
    parameters = ref.suite_parameters
    try:
        suite = load_suite(source.name)
        check_parameters(suite, set(parameters) | {RUN_STARTED_AT})
    except SuiteError as e:
        report.suite_error = str(e)
    except Exception as e:  # noqa: BLE001 - whatever is wrong with one suite costs only its source
        report.suite_error = f"{suite_path_of(source)}: cannot be used ({type(e).__name__}: {e})"[:1000]
    if report.suite_error:
        log(f"  {source.name}: expectation suite unusable, source skipped this run: {report.suite_error}")
        return report
    fingerprint = source_fingerprint(source, suite, parameters)
    # "Now", for checks that a record is not dated in the future. Not part of the
    # fingerprint (it changes every run); an outcome it decides is never cached.
    parameters = {**parameters, RUN_STARTED_AT: dt.datetime.now().isoformat(sep=" ", timespec="seconds")}

    known = {name: (sha, fp) for name, sha, fp in con.execute(
        "SELECT file_name, sha256, fingerprint FROM ingest_files WHERE source = ?", [source.name]).fetchall()}
    todo: list[RawFile] = []
    for f in files:
        if f.name not in known:
            report.files_new += 1
            todo.append(f)
        elif dry_run and only_files is not None:
            todo.append(f)  # validating a named file: always look at it
        elif known[f.name] != (f.sha256, fingerprint):
            report.files_changed += 1
            todo.append(f)
        else:
            report.files_unchanged += 1

    chunk: list[RawFile] = []
    chunk_bytes = 0
    # ~70 bytes a row in these extracts; the chunk bound keeps memory flat (pandas
    # holds a chunk's columns when Great Expectations runs a check SQL does not).
    limit_bytes = VALIDATION_CHUNK_ROWS * 70
    for f in todo:
        chunk.append(f)
        chunk_bytes += f.size_bytes
        if chunk_bytes >= limit_bytes:
            _process_chunk(con, source, suite, chunk, parameters, fingerprint, run_id, report, dry_run)
            chunk, chunk_bytes = [], 0
    if chunk:
        _process_chunk(con, source, suite, chunk, parameters, fingerprint, run_id, report, dry_run)

    for f in todo:  # listed, then gone or changed before it could be read: not processed this run
        if f.name in report.skipped_files:
            if f.name in known:
                report.files_changed -= 1
            else:
                report.files_new -= 1

    if only_files is None and not dry_run:
        # A file listed but not read this run (it changed, or could not be opened)
        # keeps its rows; one that is gone, or is now a link or a folder, does not.
        present = {f.name for f in files} | {n for n in report.skipped_files
                                              if n in known and still_a_plain_file(raw_dir / source.name / n)}
        removed = sorted(set(known) - present)
        if removed:
            report.files_removed = len(removed)
            con.execute("BEGIN")
            _forget_files(con, source, removed)
            con.execute("COMMIT")

    if not dry_run:
        if only_files is None:
            _prune_validation_cache(con, source)
        _run_frame_checks(con, source, suite, parameters, run_id, report)
    report.seconds = time.perf_counter() - started
    return report


def suite_path_of(source: Source) -> str:
    from pipelines.validation import suite_path

    return str(suite_path(source.name))


def _aggregate(report: SourceReport, r: CheckResult) -> dict:
    return report.checks.setdefault(r.check.name, {
        "description": r.check.description, "severity": r.check.severity,
        "on_failure": r.check.on_failure, "rows_checked": 0, "rows_failed": 0,
        "files_failed": set(), "error": None})


def _run_frame_checks(con, source: Source, suite: Suite, parameters: dict, run_id: str,
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
                report.checks[c.name] = {"description": c.description, "severity": c.severity,
                                         "on_failure": c.on_failure, "rows_checked": 0, "rows_failed": 0,
                                         "files_failed": set(), "error": f"frame {frame_name}: {e}"[:300]}
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
            agg = _aggregate(report, r)
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


def _forget_files(con, source: Source, names: list[str]) -> None:
    names_df = pd.DataFrame({"file_name": names})  # noqa: F841
    con.execute(f"DELETE FROM {land_table(source.name)} WHERE _file IN (SELECT file_name FROM names_df)")
    if source.question_columns:
        con.execute("DELETE FROM land_survey_answers WHERE _file IN (SELECT file_name FROM names_df)")
    for table in ("quarantine", "flagged_rows", "ingest_files"):
        con.execute(f"DELETE FROM {table} WHERE source = ? AND file_name IN (SELECT file_name FROM names_df)",
                    [source.name])


def _process_chunk(con, source: Source, suite: Suite, files: list[RawFile], parameters: dict,
                   fingerprint: str, run_id: str, report: SourceReport, dry_run: bool) -> None:
    create_staging_tables(con, source)
    landed, refused, gone = land_files(con, source, files, _question_ids(parameters))
    if gone:  # vanished or changed since the landing zone was listed: read on a later run
        report.skipped_files.update(gone)
        files = [f for f in files if f.name not in gone]
        if not files:
            return
    rows_read: dict[str, int] = {name: lf.rows_read for name, lf in landed.items()}

    con.execute(build_typed_table_sql(source, [n for n, lf in landed.items() if lf.has_control_bytes]))
    started = time.perf_counter()
    # Files whose bytes and suite are unchanged since they were last validated
    # (a --full-refresh re-reads them) take the recorded outcome: the checks run on the rest.
    by_name = {f.name: f for f in files}
    cached = {} if dry_run else _cached_outcomes(con, source, [by_name[n] for n in landed], fingerprint)
    cached_df = pd.DataFrame({"file_name": list(cached) or [None]}, dtype="object")  # noqa: F841
    not_cached = "_file NOT IN (SELECT file_name FROM cached_df WHERE file_name IS NOT NULL)"
    # The rows to check stay in DuckDB (CHECK_RELATIONS); pandas holds only what
    # acting on the results needs (each row id's file and row number).
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {CHECK_RELATIONS['rows']} AS
        SELECT * EXCLUDE (_errors, _raw, _key) FROM {TYPED_TABLE}
        WHERE len(_errors) = 0 AND {not_cached} ORDER BY _rid""")
    if source.question_columns:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {CHECK_RELATIONS['answers']} AS
            SELECT a._rid, a.question_id, trim(a.answer) AS answer,
                   a.question_id || '|' || trim(a.answer) AS question_answer
            FROM {ANSWERS_TABLE} a JOIN {TYPED_TABLE} t USING (_rid)
            WHERE len(t._errors) = 0 AND t.{not_cached} ORDER BY a._rid, a.question_id""")
    frames = {"rows": _id_frame(con, CHECK_RELATIONS["rows"], "_rid, _file, _row")}
    if source.question_columns:
        frames["answers"] = _id_frame(con, CHECK_RELATIONS["answers"], "_rid")
    results: list[CheckResult] = []
    label = files[0].name if len(files) == 1 else f"{files[0].name} to {files[-1].name} ({len(files)} files)"
    for frame_name, frame in frames.items():
        if frame.empty:
            continue
        gx_results: list = []
        results += _run_row_checks(con, suite.checks_for(frame_name), CHECK_RELATIONS[frame_name], len(frame),
                                   parameters,
                                   sensitive_columns=source.pseudonymised_columns, suite_name=source.name,
                                   docs=gx_results)
        report.docs += [(source.name, f"{label} {frame_name}" if frame_name != "rows" else label, r)
                        for r in gx_results]
    for relation in CHECK_RELATIONS.values():  # a chunk's copy is not kept while the models build
        con.execute(f"DROP TABLE IF EXISTS {relation}")
    report.seconds_validating += time.perf_counter() - started

    quarantined: list[pd.DataFrame] = []
    flagged: list[pd.DataFrame] = []
    _act_on_results(source, results, frames, report, refused, quarantined, flagged)

    if not dry_run:
        validated = [by_name[n] for n in landed if n not in cached]
        _store_outcomes(con, source, validated, fingerprint, results, frames, refused, run_id)
    if cached:
        _apply_cached_outcomes(con, source, suite, fingerprint, cached, report, refused, quarantined, flagged)

    q = (pd.concat(quarantined, ignore_index=True) if quarantined
         else pd.DataFrame({"_rid": pd.Series(dtype="int64"), "check_name": pd.Series(dtype="str"),
                            "severity": pd.Series(dtype="str"), "reason": pd.Series(dtype="str"),
                            "masked_column": pd.Series(dtype="str")}))
    fl = (pd.concat(flagged, ignore_index=True) if flagged
          else pd.DataFrame({"_rid": pd.Series(dtype="int64"), "check_name": pd.Series(dtype="str"),
                             "severity": pd.Series(dtype="str")}))
    if dry_run:
        _summarise_dry_run(con, source, files, refused, q, fl, rows_read, report)
        return
    _commit_chunk(con, source, files, landed, refused, q, fl, rows_read, fingerprint, run_id, report)


# The relations the row-level checks look at, one chunk at a time.
CHECK_RELATIONS = {"rows": "chunk_check_rows", "answers": "chunk_check_answers"}


def _id_frame(con, relation: str, columns: str) -> pd.DataFrame:
    frame = con.execute(f"SELECT {columns} FROM {relation} ORDER BY _rid").df()
    frame.index = frame["_rid"].to_numpy()
    return frame


def _run_row_checks(con, checks: list[Check], relation: str, rows: int, parameters: dict, docs: list,
                    **kw) -> list[CheckResult]:
    """One frame's checks over its DuckDB relation.

    With the SQL engine (settings.checks_engine), checks_sql answers each compiled
    check in DuckDB and hands the rest to Great Expectations on pandas (only their
    columns); a check it cannot run is an error result, which _act_on_results
    turns into files held back. Should the SQL path fail as a whole, every check
    is asked of Great Expectations on the whole frame instead, as with the gx
    engine; a failure there makes every check an error. No path returns a
    success it did not compute."""
    if not checks:
        return []
    if settings.checks_engine() == "sql":
        from pipelines.checks_sql import run_checks_sql

        sql_docs: list = []
        try:
            results = run_checks_sql(con, checks, relation, parameters, docs=sql_docs, **kw)
        except Exception as e:  # noqa: BLE001 - any failure of the SQL path: Great Expectations decides
            _log.warning("checks in SQL over %s failed (%s: %s); Great Expectations runs them",
                         relation, type(e).__name__, e)
        else:
            if len(results) == len(checks) and all(r.check is c for r, c in zip(results, checks, strict=True)):
                for r in results:  # as validation.run_checks counts a check whose row_condition kept no row
                    if r.error is None and not r.element_count:
                        r.element_count = rows
                docs += sql_docs
                return results
            _log.warning("checks in SQL over %s gave %d results for %d checks; Great Expectations runs them",
                         relation, len(results), len(checks))
    try:
        frame = con.execute(f"SELECT * FROM {relation} ORDER BY _rid").df()
        frame.index = frame["_rid"].to_numpy()
    except Exception as e:  # noqa: BLE001 - the rows cannot even be read: no check has run
        message = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
        return [CheckResult(c, success=False, error=f"{type(e).__name__}: {message}") for c in checks]
    return _run_checks_safely(checks, frame, parameters, docs=docs, **kw)


def _run_checks_safely(checks: list[Check], frame: pd.DataFrame, parameters: dict, **kw) -> list[CheckResult]:
    """run_checks, where a failure of the whole validation is every check's error."""
    try:
        return run_checks(checks, frame, parameters, **kw)
    except Exception as e:  # noqa: BLE001 - Great Expectations raises many types
        message = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
        return [CheckResult(c, success=False, error=f"{type(e).__name__}: {message}") for c in checks]


# What a check that cannot run must never do is let the data it guards through.
_PERSONAL_DATA_SHAPES = (
    (r"[0-9a-f]{16,}", "[pseudonymised id removed]"),
    (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+", "[e-mail removed]"),
    (r"\+?[0-9][0-9 -]{6,}[0-9]", "[number removed]"),
)


def _plain_error(error: str) -> str:
    """A check's error as published: Great Expectations may quote a value it
    choked on, so anything shaped like a pseudonym, e-mail or phone number goes."""
    import re

    for pattern, replacement in _PERSONAL_DATA_SHAPES:
        error = re.sub(pattern, replacement, error)
    return error[:300]


def _act_on_results(source: Source, results: list[CheckResult], frames: dict[str, pd.DataFrame],
                    report: SourceReport, refused: dict[str, str], quarantined: list[pd.DataFrame],
                    flagged: list[pd.DataFrame]) -> None:
    """Turn check results into refusals, quarantined rows and flags.

    This is where every check's outcome is acted on, whichever engine ran it
    (SQL in DuckDB or Great Expectations on pandas), so the fail-safe rule lives
    here once: a critical check that could not run (CheckResult.error) refuses
    every file of the frame it was to check, with the reason. A warning or info
    check that could not run is reported and publishes nothing less."""
    rid_file = frames["rows"]["_file"]
    rid_row = frames["rows"]["_row"]
    for r in results:
        agg = _aggregate(report, r)
        agg["rows_checked"] += r.element_count
        if r.error:
            agg["error"] = _plain_error(r.error)
            if r.check.severity != "critical":
                continue
            frame = frames.get(r.check.frame)
            if frame is None or frame.empty:
                continue
            guarded = (frame["_file"] if "_file" in frame else frame["_rid"].map(rid_file)).dropna().unique()
            reason = (f"held back: the critical check {r.check.name!r} could not run ({agg['error']}); "
                      f"nothing from this file is published until expectations/{source.name}.json is mended")
            for name in sorted(guarded):
                refused.setdefault(name, reason)
            agg["files_failed"].update(guarded)
            report.checks_not_run.append({"check": r.check.name, "error": agg["error"],
                                          "files": sorted(str(g) for g in guarded)})
            continue
        if r.failing_rids is None or len(r.failing_rids) == 0:
            if not r.success:  # an aggregate check failed: counted, no rows to point at
                agg["rows_failed"] += r.unexpected_count
            continue
        rids = np.unique(r.failing_rids)
        failing_files = rid_file.loc[rids]
        agg["rows_failed"] += len(rids)
        agg["files_failed"].update(failing_files.unique())
        if r.check.on_failure == "refuse_file":
            for name, rows in rid_row.loc[rids].groupby(failing_files.to_numpy()):
                refused.setdefault(
                    name, f"{r.check.description} ({len(rows)} row(s), first at row {int(rows.min())})")
        elif r.check.on_failure == "quarantine_rows":
            quarantined.append(pd.DataFrame({
                "_rid": rids, "check_name": r.check.name, "severity": r.check.severity,
                "reason": r.check.description,
                "masked_column": r.check.column if r.check.personal_data else None}))
        else:
            flagged.append(pd.DataFrame({"_rid": rids, "check_name": r.check.name, "severity": r.check.severity}))


# ------------------------------------------------------------ validation cache
def _remember_file_stats(con, source: Source, files: list[RawFile]) -> None:
    stats = pd.DataFrame({"file_name": [f.name for f in files], "size_bytes": [f.size_bytes for f in files],  # noqa: F841
                          "mtime_ns": [f.mtime_ns for f in files], "sha256": [f.sha256 for f in files]},
                         dtype="object")
    con.execute("BEGIN")
    con.execute("DELETE FROM file_stats WHERE source = ?", [source.name])
    con.execute("INSERT INTO file_stats SELECT ?, file_name, size_bytes::BIGINT, mtime_ns::BIGINT, sha256 "
                "FROM stats", [source.name])
    con.execute("COMMIT")


def _prune_validation_cache(con, source: Source) -> None:
    """Keep outcomes only for contents still in the landing zone."""
    for table in ("validation_cache", "validation_cache_rows"):
        con.execute(f"DELETE FROM {table} WHERE source = ? AND sha256 NOT IN "
                    "(SELECT sha256 FROM file_stats WHERE source = ?)", [source.name, source.name])


def _cached_outcomes(con, source: Source, files: list[RawFile], fingerprint: str) -> dict[str, tuple]:
    """file name -> (sha256, refused reason, {check: [rows checked, rows failed]})."""
    if not files:
        return {}
    wanted = pd.DataFrame({"file_name": [f.name for f in files], "sha256": [f.sha256 for f in files]},  # noqa: F841
                          dtype="object")
    return {name: (sha, reason, json.loads(stats)) for name, sha, reason, stats in con.execute("""
        SELECT w.file_name, c.sha256, c.refused_reason, c.check_stats
        FROM wanted w JOIN validation_cache c ON c.sha256 = w.sha256
        WHERE c.source = ? AND c.fingerprint = ?""", [source.name, fingerprint]).fetchall()}


def _store_outcomes(con, source: Source, files: list[RawFile], fingerprint: str, results: list[CheckResult],
                    frames: dict[str, pd.DataFrame], refused: dict[str, str], run_id: str) -> None:
    """Record, per file, what the suite said of it: failing rows, per-check counts, refusal.

    Not recorded when a check could not run or failed without naming rows: the
    next run must then ask Great Expectations again."""
    if not files or any(r.error or (not r.success and (r.failing_rids is None or not len(r.failing_rids)))
                        for r in results):
        return
    rows = frames["rows"]
    rid_file, rid_row = rows["_file"], rows["_row"]
    per_frame_counts = {name: (frame["_rid"].map(rid_file).value_counts() if name != "rows"
                               else frame["_file"].value_counts()).to_dict()
                        for name, frame in frames.items() if not frame.empty}
    # A file that failed a check against the run's time (a future date) is asked
    # again next time: the same row may be valid once that date has passed.
    timely = {rid_file.loc[rid] for r in results if RUN_STARTED_AT in json.dumps(r.check.config)
              and r.failing_rids is not None for rid in np.unique(r.failing_rids)}
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
            files_of = rid_file.loc[rids].to_numpy()
            failed = pd.Series(files_of).value_counts().to_dict()
            if r.check.on_failure != "refuse_file":
                cached_rows.append(pd.DataFrame({
                    "file_name": files_of, "row_number": rid_row.loc[rids].to_numpy(), "check_name": r.check.name,
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


def _apply_cached_outcomes(con, source: Source, suite: Suite, fingerprint: str, cached: dict[str, tuple],
                           report: SourceReport, refused: dict[str, str], quarantined: list[pd.DataFrame],
                           flagged: list[pd.DataFrame]) -> None:
    checks = {c.name: c for c in suite.checks}
    for name, (_sha, reason, stats) in cached.items():
        if reason:
            refused.setdefault(name, reason)
        for check_name, (checked, failed) in stats.items():
            if check_name not in checks:
                continue
            c = checks[check_name]
            agg = report.checks.setdefault(c.name, {
                "description": c.description, "severity": c.severity, "on_failure": c.on_failure,
                "rows_checked": 0, "rows_failed": 0, "files_failed": set(), "error": None})
            agg["rows_checked"] += checked
            agg["rows_failed"] += failed
            if failed:
                agg["files_failed"].add(name)
    hits = pd.DataFrame({"file_name": list(cached), "sha256": [v[0] for v in cached.values()]},  # noqa: F841
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
        quarantined.append(q[["_rid", "check_name", "severity", "reason", "masked_column"]].reset_index(drop=True))
    f = rows[rows["on_failure"] == "flag"]
    if not f.empty:
        flagged.append(f[["_rid", "check_name", "severity"]].reset_index(drop=True))


def _question_ids(parameters: dict) -> set[str]:
    return set(parameters.get("question_ids", []))


def _commit_chunk(con, source: Source, files: list[RawFile], landed: dict[str, LandedFile],
                  refused: dict[str, str], q: pd.DataFrame, fl: pd.DataFrame, rows_read: dict[str, int],
                  fingerprint: str, run_id: str, report: SourceReport) -> None:
    cols = ", ".join(f'"{c}"' for c in source.column_names)
    refused_df = pd.DataFrame({"file_name": list(refused) or [None]}, dtype="object")  # noqa: F841
    q_rids = q[["_rid"]].drop_duplicates()  # noqa: F841
    con.execute("BEGIN")
    try:
        _forget_files(con, source, [f.name for f in files])
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE chunk_accepted AS
            SELECT t.* FROM {TYPED_TABLE} t
            WHERE len(t._errors) = 0
              AND t._file NOT IN (SELECT file_name FROM refused_df WHERE file_name IS NOT NULL)
              AND t._rid NOT IN (SELECT _rid FROM q_rids)""")
        con.execute(f"INSERT INTO {land_table(source.name)} SELECT _file, _row, _key, {cols} FROM chunk_accepted")
        if source.question_columns:
            con.execute(f"""
                INSERT INTO land_survey_answers
                SELECT t._file, t._row, a.question_id, trim(a.answer)
                FROM {ANSWERS_TABLE} a JOIN chunk_accepted t USING (_rid)""")
        # Quarantine: failed checks, unparseable values and unsplittable records.
        con.execute(f"""
            INSERT INTO quarantine
            SELECT ?, t._file, t._row, t._key, q.check_name, q.severity, q.reason, t._raw, q.masked_column, ?
            FROM q JOIN {TYPED_TABLE} t USING (_rid)
            WHERE t._file NOT IN (SELECT file_name FROM refused_df WHERE file_name IS NOT NULL)
            UNION ALL
            SELECT ?, _file, _row, _key, 'parse', 'critical', array_to_string(_errors, '; '), _raw, NULL, ?
            FROM {TYPED_TABLE}
            WHERE len(_errors) > 0 AND _file NOT IN (SELECT file_name FROM refused_df WHERE file_name IS NOT NULL)
            UNION ALL
            SELECT ?, _file, _row, NULL, 'read', 'critical', reason, to_json({{'raw_line': raw_text}}), NULL, ?
            FROM {REJECTS_TABLE}
            WHERE _file NOT IN (SELECT file_name FROM refused_df WHERE file_name IS NOT NULL)
        """, [source.name, run_id] * 3)
        con.execute(f"""
            INSERT INTO flagged_rows
            SELECT ?, t._file, t._row, f.check_name, f.severity, ?
            FROM fl f JOIN {TYPED_TABLE} t USING (_rid)
            WHERE t._file NOT IN (SELECT file_name FROM refused_df WHERE file_name IS NOT NULL)
        """, [source.name, run_id])
        per_file = {name: (loaded, quarantined, flagged) for name, loaded, quarantined, flagged in con.execute("""
            SELECT f.name,
                   (SELECT count(*) FROM chunk_accepted a WHERE a._file = f.name),
                   (SELECT count(DISTINCT row_number) FROM quarantine qq WHERE qq.source = ? AND qq.file_name = f.name),
                   (SELECT count(DISTINCT row_number) FROM flagged_rows fr WHERE fr.source = ? AND fr.file_name = f.name)
            FROM (SELECT unnest(?::VARCHAR[]) AS name) f""",
            [source.name, source.name, [f.name for f in files]]).fetchall()}
        for f in files:
            lf = landed.get(f.name)
            loaded, quarantined, flagged = per_file.get(f.name, (0, 0, 0))
            status = "refused" if f.name in refused else "loaded"
            con.execute("""
                INSERT INTO ingest_files (source, file_name, sha256, size_bytes, fingerprint, status, reason,
                    rows_read, rows_loaded, rows_quarantined, rows_flagged, unknown_columns, notes, run_id,
                    processed_at, delivered_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, to_timestamp(?::DOUBLE)::TIMESTAMP)""", [
                source.name, f.name, f.sha256, f.size_bytes, fingerprint, status, refused.get(f.name),
                rows_read.get(f.name, 0), loaded, quarantined, flagged,
                lf.unknown_columns if lf else [], lf.notes if lf else [], run_id, f.delivered_at])
            report.rows_read += rows_read.get(f.name, 0)
            report.rows_loaded += loaded
            report.rows_quarantined += quarantined
            report.rows_flagged += flagged
            if status == "loaded":
                report.loaded_files.append(f.name)
            if status == "refused":
                report.files_refused += 1
                report.refused.append({"source": source.name, "file": f.name, "reason": refused[f.name]})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _summarise_dry_run(con, source: Source, files: list[RawFile], refused: dict[str, str],
                       q: pd.DataFrame, fl: pd.DataFrame, rows_read: dict[str, int],
                       report: SourceReport) -> None:
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


def record_check_runs(con, run_id: str, report: SourceReport) -> None:
    """Log what this run did for one source: its counts and each check's results."""
    r = report
    con.execute("INSERT INTO source_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        run_id, r.source, r.files_seen, r.files_new, r.files_changed, r.files_removed, r.files_refused,
        r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_flagged, r.seconds, r.seconds_validating])
    rows = [(run_id, report.source, name, a["description"], a["severity"], a["on_failure"],
             a["rows_checked"], a["rows_failed"], len(a["files_failed"]), a["error"])
            for name, a in report.checks.items()]
    if rows:
        con.executemany("INSERT INTO check_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for message in report.problems():
        con.execute("INSERT INTO suite_errors VALUES (?, ?, ?)", [run_id, report.source, message])
    con.execute("DELETE FROM skipped_files WHERE source = ?", [report.source])
    if report.skipped_files:
        con.executemany("INSERT INTO skipped_files VALUES (?, ?, ?, ?)",
                        [(report.source, name, reason, run_id) for name, reason in report.skipped_files.items()])
