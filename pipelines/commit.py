"""Commit a checked chunk of files to the warehouse, all or nothing.

A run killed part-way leaves every chunk either fully in or fully out: the
accepted rows go to the source's land_* table, the rest to quarantine or
flagged_rows, each file to ingest_files, in one transaction.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.chunk_checks import ChunkVerdict
from pipelines.contract import Source
from pipelines.landing import RawFile
from pipelines.readers import ANSWERS_TABLE, RAW_TABLE, REJECTS_TABLE, LandedFile
from pipelines.source_report import SourceReport
from pipelines.typing_sql import TYPED_TABLE, raw_record_sql
from pipelines.warehouse import land_table


def forget_files(con: duckdb.DuckDBPyConnection, source: Source, names: list[str]) -> None:
    """Take out everything these files delivered: rows, answers, quarantine, flags, their record."""
    if not names:
        return
    names_df = pd.DataFrame({"file_name": names}, dtype="object")  # noqa: F841
    con.execute(f"DELETE FROM {land_table(source.name)} WHERE _file IN (SELECT file_name FROM names_df)")
    if source.question_columns:
        con.execute("DELETE FROM land_survey_answers WHERE _file IN (SELECT file_name FROM names_df)")
    for table in ("quarantine", "flagged_rows", "ingest_files"):
        con.execute(f"DELETE FROM {table} WHERE source = ? AND file_name IN (SELECT file_name FROM names_df)",
                    [source.name])


def delivered_before(con: duckdb.DuckDBPyConnection, source: Source, names: list[str]) -> list[str]:
    """The files among these that the warehouse holds something from (a first
    load has none, and then nothing is searched for)."""
    return [r[0] for r in con.execute(
        "SELECT file_name FROM ingest_files WHERE source = ? AND file_name IN (SELECT unnest(?::VARCHAR[]))",
        [source.name, names]).fetchall()]


def commit_chunk(con: duckdb.DuckDBPyConnection, source: Source, files: list[RawFile],
                 landed: dict[str, LandedFile], verdict: ChunkVerdict, fingerprint: str, run_id: str,
                 report: SourceReport) -> None:
    """In one transaction: forget what these files delivered before, then keep
    the accepted rows, the quarantined rows with their reasons (failed checks,
    values that do not parse, records that cannot be split), the flags, and one
    ingest_files row per file (loaded or refused, with its counts)."""
    refused = verdict.refused
    q, fl = verdict.quarantine_table(), verdict.flag_table()  # noqa: F841 - DuckDB reads them by name
    rows_read = {name: lf.rows_read for name, lf in landed.items()}
    cols = ", ".join(f't."{c}"' for c in source.column_names)
    refused_df = pd.DataFrame({"file_name": list(refused) or [None]}, dtype="object")  # noqa: F841
    q_rids = q[["_rid"]].drop_duplicates()  # noqa: F841
    not_refused = "_file NOT IN (SELECT file_name FROM refused_df WHERE file_name IS NOT NULL)"
    # The typed rows are read where they lie, not copied first.
    accepted = f"len(t._errors) = 0 AND t.{not_refused} AND t._rid NOT IN (SELECT _rid FROM q_rids)"
    con.execute("BEGIN")
    try:
        forget_files(con, source, delivered_before(con, source, [f.name for f in files]))
        con.execute(f"INSERT INTO {land_table(source.name)} SELECT t._file, t._row, t._key, {cols} "
                    f"FROM {TYPED_TABLE} t WHERE {accepted}")
        if source.question_columns:
            con.execute(f"""
                INSERT INTO land_survey_answers
                SELECT t._file, t._row, a.question_id, trim(a.answer)
                FROM {ANSWERS_TABLE} a JOIN {TYPED_TABLE} t USING (_rid) WHERE {accepted}""")
        # Quarantine: failed checks, unparseable values and unsplittable records,
        # each with the record as delivered.
        raw = raw_record_sql(source, "r")
        con.execute(f"""
            INSERT INTO quarantine
            SELECT ?, t._file, t._row, t._key, q.check_name, q.severity, q.reason, {raw}, q.masked_column, ?
            FROM q JOIN {TYPED_TABLE} t USING (_rid) JOIN {RAW_TABLE} r USING (_rid)
            WHERE t.{not_refused}
            UNION ALL
            SELECT ?, t._file, t._row, t._key, 'parse', 'critical', array_to_string(t._errors, '; '), {raw}, NULL, ?
            FROM {TYPED_TABLE} t JOIN {RAW_TABLE} r USING (_rid)
            WHERE len(t._errors) > 0 AND t.{not_refused}
            UNION ALL
            SELECT ?, _file, _row, NULL, 'read', 'critical', reason, to_json({{'raw_line': raw_text}}), NULL, ?
            FROM {REJECTS_TABLE}
            WHERE {not_refused}
        """, [source.name, run_id] * 3)
        con.execute(f"""
            INSERT INTO flagged_rows
            SELECT ?, t._file, t._row, f.check_name, f.severity, ?
            FROM fl f JOIN {TYPED_TABLE} t USING (_rid)
            WHERE t.{not_refused}
        """, [source.name, run_id])
        loaded_of = dict(con.execute(f"SELECT t._file, count(*) FROM {TYPED_TABLE} t WHERE {accepted} "
                                     "GROUP BY t._file").fetchall())
        per_file = {name: (loaded_of.get(name, 0), quarantined, flagged)
                    for name, quarantined, flagged in con.execute("""
            SELECT f.name,
                   (SELECT count(DISTINCT row_number) FROM quarantine qq WHERE qq.source = ? AND qq.file_name = f.name),
                   (SELECT count(DISTINCT row_number) FROM flagged_rows fr WHERE fr.source = ? AND fr.file_name = f.name)
            FROM (SELECT unnest(?::VARCHAR[]) AS name) f""",
            [source.name, source.name, [f.name for f in files]]).fetchall()}
        file_rows = []
        for f in files:
            lf = landed.get(f.name)
            loaded, quarantined, flagged = per_file.get(f.name, (0, 0, 0))
            status = "refused" if f.name in refused else "loaded"
            file_rows.append({
                "file_name": f.name, "sha256": f.sha256, "size_bytes": f.size_bytes, "status": status,
                "reason": refused.get(f.name), "rows_read": rows_read.get(f.name, 0), "rows_loaded": loaded,
                "rows_quarantined": quarantined, "rows_flagged": flagged,
                "unknown_columns": lf.unknown_columns if lf else [], "notes": lf.notes if lf else [],
                "delivered_at": float(f.delivered_at)})
            report.rows_read += rows_read.get(f.name, 0)
            report.rows_loaded += loaded
            report.rows_quarantined += quarantined
            report.rows_flagged += flagged
            if status == "loaded":
                report.loaded_files.append(f.name)
            if status == "refused":
                report.files_refused += 1
                report.refused.append({"source": source.name, "file": f.name, "reason": refused[f.name]})
        _record_files(con, source, file_rows, fingerprint, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# One statement for a chunk's files: a row at a time costs more than the rest of the commit.
_FILE_ROW_TYPES = pa.schema([
    ("file_name", pa.string()), ("sha256", pa.string()), ("size_bytes", pa.int64()), ("status", pa.string()),
    ("reason", pa.string()), ("rows_read", pa.int64()), ("rows_loaded", pa.int64()),
    ("rows_quarantined", pa.int64()), ("rows_flagged", pa.int64()), ("unknown_columns", pa.list_(pa.string())),
    ("notes", pa.list_(pa.string())), ("delivered_at", pa.float64())])


def _record_files(con: duckdb.DuckDBPyConnection, source: Source, file_rows: list[dict], fingerprint: str,
                  run_id: str) -> None:
    if not file_rows:
        return
    chunk_files = pa.Table.from_pylist(file_rows, schema=_FILE_ROW_TYPES)  # noqa: F841 - read by name below
    con.execute("""
        INSERT INTO ingest_files (source, file_name, sha256, size_bytes, fingerprint, status, reason,
            rows_read, rows_loaded, rows_quarantined, rows_flagged, unknown_columns, notes, run_id,
            processed_at, delivered_at)
        SELECT ?, file_name, sha256, size_bytes, ?, status, reason, rows_read, rows_loaded, rows_quarantined,
               rows_flagged, unknown_columns, notes, ?, now()::TIMESTAMP, to_timestamp(delivered_at)::TIMESTAMP
        FROM chunk_files""", [source.name, fingerprint, run_id])

