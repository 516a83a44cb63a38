"""A chunk's row-level checks and what they mean for its files and rows.

The typed rows of a chunk of files are checked where they lie, in DuckDB: the
rows that parsed (and, for surveys, their answers) go into the relations named
in CHECK_RELATIONS, the suite's checks are answered over them (in SQL by
pipelines.checks_sql, by Great Expectations on pandas for what is not
compiled), and act_on_results turns every result, whichever engine gave it,
into refused files, quarantined rows and flags. Nothing here writes to the
warehouse: committing is pipelines.commit's job, and validate only reports.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from pipelines import settings
from pipelines.contract import Source
from pipelines.readers import ANSWERS_TABLE, ROWS_PER_FILE_ID
from pipelines.source_report import SourceReport, check_tally
from pipelines.typing_sql import TYPED_TABLE
from pipelines.validation import Check, CheckResult, Suite, run_checks

_log = logging.getLogger(__name__)

# The relations the row-level checks look at, one chunk at a time.
CHECK_RELATIONS = {"rows": "chunk_check_rows", "answers": "chunk_check_answers"}


@dataclass
class FrameRows:
    """A checked frame's size, by file: the rows themselves stay in DuckDB."""

    count: int = 0
    per_file: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.count == 0


@dataclass
class RowIds:
    """The file and row number of a row id, worked out, not looked up: the
    reader numbers rows seq * ROWS_PER_FILE_ID + row, seq being the file's place
    in the chunk."""

    file_by_seq: dict[int, str] = field(default_factory=dict)

    def files(self, rids) -> np.ndarray:
        seqs = np.asarray(rids, dtype=np.int64) // ROWS_PER_FILE_ID
        return np.array([self.file_by_seq[int(q)] for q in seqs], dtype=object)

    @staticmethod
    def rows(rids) -> np.ndarray:
        return np.asarray(rids, dtype=np.int64) % ROWS_PER_FILE_ID


@dataclass
class ChunkVerdict:
    """What a chunk's checks decided: files refused (with the reason), and the
    rows (by row id) to quarantine or flag, with the check behind each."""

    refused: dict[str, str]
    results: list[CheckResult] = field(default_factory=list)
    frames: dict[str, FrameRows] = field(default_factory=dict)  # frame -> its rows, by file
    ids: RowIds = field(default_factory=RowIds)
    quarantined: list[pd.DataFrame] = field(default_factory=list)
    flagged: list[pd.DataFrame] = field(default_factory=list)

    def quarantine_table(self) -> pd.DataFrame:
        if self.quarantined:
            return pd.concat(self.quarantined, ignore_index=True)
        return pd.DataFrame({"_rid": pd.Series(dtype="int64"), "check_name": pd.Series(dtype="str"),
                             "severity": pd.Series(dtype="str"), "reason": pd.Series(dtype="str"),
                             "masked_column": pd.Series(dtype="str")})

    def flag_table(self) -> pd.DataFrame:
        if self.flagged:
            return pd.concat(self.flagged, ignore_index=True)
        return pd.DataFrame({"_rid": pd.Series(dtype="int64"), "check_name": pd.Series(dtype="str"),
                             "severity": pd.Series(dtype="str")})


def check_chunk(con: duckdb.DuckDBPyConnection, source: Source, suite: Suite, file_names: list[str],
                parameters: dict, refused: dict[str, str], report: SourceReport,
                recorded: set[str] = frozenset()) -> ChunkVerdict:
    """Check the typed rows of a chunk's files, except the files in `recorded`
    (their outcome is already known: pipelines.validation_cache). `refused` holds
    the files refused while landing; the verdict adds those the checks refuse."""
    started = time.perf_counter()
    con.execute("CREATE OR REPLACE TEMP TABLE chunk_recorded_files (file_name VARCHAR)")
    if recorded:
        con.execute("INSERT INTO chunk_recorded_files SELECT unnest(?::VARCHAR[])", [sorted(recorded)])
    not_recorded = "_file NOT IN (SELECT file_name FROM chunk_recorded_files)"
    # The rows to check are a view of the typed rows, not a copy: each engine reads
    # them where they lie; only failing row ids come back to Python, and their file
    # and row number are worked out from the id (RowIds). Survey answers (a few thousand rows)
    # are kept in order as a table, so every engine sees them in one order.
    con.execute(f"""CREATE OR REPLACE TEMP VIEW {CHECK_RELATIONS['rows']} AS
        SELECT * EXCLUDE (_errors, _key) FROM {TYPED_TABLE}
        WHERE len(_errors) = 0 AND {not_recorded}""")
    if source.question_columns:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {CHECK_RELATIONS['answers']} AS
            SELECT a._rid, a.question_id, trim(a.answer) AS answer,
                   a.question_id || '|' || trim(a.answer) AS question_answer
            FROM {ANSWERS_TABLE} a JOIN {TYPED_TABLE} t USING (_rid)
            WHERE len(t._errors) = 0 AND t.{not_recorded} ORDER BY a._rid, a.question_id""")
    verdict = ChunkVerdict(refused)
    verdict.ids = RowIds(dict(con.execute(
        f"SELECT DISTINCT _rid // {ROWS_PER_FILE_ID}, _file FROM {TYPED_TABLE}").fetchall()))
    verdict.frames = {"rows": _frame_rows(con, f"SELECT _file FROM {CHECK_RELATIONS['rows']}")}
    if source.question_columns:
        verdict.frames["answers"] = _frame_rows(
            con, f"SELECT t._file FROM {CHECK_RELATIONS['answers']} a JOIN {TYPED_TABLE} t USING (_rid)")
    label = (file_names[0] if len(file_names) == 1
             else f"{file_names[0]} to {file_names[-1]} ({len(file_names)} files)")
    for frame_name, frame in verdict.frames.items():
        if frame.empty:
            continue
        gx_results: list = []
        verdict.results += run_row_checks(con, suite.checks_for(frame_name), CHECK_RELATIONS[frame_name],
                                          frame.count, parameters, sensitive_columns=source.pseudonymised_columns,
                                          suite_name=source.name, docs=gx_results)
        report.docs += [(source.name, f"{label} {frame_name}" if frame_name != "rows" else label, r)
                        for r in gx_results]
    con.execute(f"DROP VIEW IF EXISTS {CHECK_RELATIONS['rows']}")
    con.execute(f"DROP TABLE IF EXISTS {CHECK_RELATIONS['answers']}")
    report.seconds_validating += time.perf_counter() - started
    act_on_results(source, verdict, report)
    return verdict


def _frame_rows(con, files_sql: str) -> FrameRows:
    per_file = dict(con.execute(f"SELECT _file, count(*) FROM ({files_sql}) GROUP BY _file").fetchall())
    return FrameRows(sum(per_file.values()), per_file)


def run_row_checks(con, checks: list[Check], relation: str, rows: int, parameters: dict, docs: list,
                    **kw) -> list[CheckResult]:
    """One frame's checks over its DuckDB relation.

    With the SQL engine (settings.checks_engine), checks_sql answers each compiled
    check in DuckDB and hands the rest to Great Expectations on pandas (only their
    columns); a check it cannot run is an error result, which act_on_results
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
    return run_checks_safely(checks, frame, parameters, docs=docs, **kw)


def run_checks_safely(checks: list[Check], frame: pd.DataFrame, parameters: dict, **kw) -> list[CheckResult]:
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


def plain_error(error: str) -> str:
    """A check's error as published: Great Expectations may quote a value it
    choked on, so anything shaped like a pseudonym, e-mail or phone number goes."""
    for pattern, replacement in _PERSONAL_DATA_SHAPES:
        error = re.sub(pattern, replacement, error)
    return error[:300]


def act_on_results(source: Source, verdict: ChunkVerdict, report: SourceReport) -> None:
    """Turn check results into refusals, quarantined rows and flags.

    This is where every check's outcome is acted on, whichever engine ran it
    (SQL in DuckDB or Great Expectations on pandas), so the fail-safe rule lives
    here once: a critical check that could not run (CheckResult.error) refuses
    every file of the frame it was to check, with the reason. A warning or info
    check that could not run is reported and publishes nothing less."""
    frames, refused, ids = verdict.frames, verdict.refused, verdict.ids
    for r in verdict.results:
        agg = check_tally(report, r.check)
        agg["rows_checked"] += r.element_count
        if r.error:
            agg["error"] = plain_error(r.error)
            if r.check.severity != "critical":
                continue
            frame = frames.get(r.check.frame)
            if frame is None or frame.empty:
                continue
            guarded = sorted(frame.per_file)
            reason = (f"held back: the critical check {r.check.name!r} could not run ({agg['error']}); "
                      f"nothing from this file is published until expectations/{source.name}.json is mended")
            for name in guarded:
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
        failing_files = ids.files(rids)
        agg["rows_failed"] += len(rids)
        agg["files_failed"].update(failing_files)
        if r.check.on_failure == "refuse_file":
            for name, rows in pd.Series(ids.rows(rids)).groupby(failing_files):
                refused.setdefault(
                    name, f"{r.check.description} ({len(rows)} row(s), first at row {int(rows.min())})")
        elif r.check.on_failure == "quarantine_rows":
            verdict.quarantined.append(pd.DataFrame({
                "_rid": rids, "check_name": r.check.name, "severity": r.check.severity,
                "reason": r.check.description,
                "masked_column": r.check.column if r.check.personal_data else None}))
        else:
            verdict.flagged.append(pd.DataFrame({"_rid": rids, "check_name": r.check.name, "severity": r.check.severity}))


