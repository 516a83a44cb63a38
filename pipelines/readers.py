"""Read one raw extract into the warehouse's staging area, every value as text.

Reading is split in two so nothing is lost and every problem has a reason:
1. this module lands the file's records as text (CSV through DuckDB's
   `read_csv` with `store_rejects`, so records it cannot split are kept, not
   dropped; `.xlsx` through python-calamine) with their file row number;
2. `typing.py` casts the text to the contract's types in SQL and records why a
   value does not parse.

A file is refused whole only when it cannot be read as a table or lacks a
required column (data contract s1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract import Source

XLSX_MAGIC = b"PK\x03\x04"

# Staging tables (TEMP, per connection) a chunk of files is landed into.
RAW_TABLE = "chunk_raw"
ANSWERS_TABLE = "chunk_answers_raw"
REJECTS_TABLE = "chunk_rejects"


class FileRefused(Exception):
    """The whole file is refused; the message says why in plain English."""


@dataclass
class LandedFile:
    source: str
    file_name: str
    rows_read: int = 0          # data records found (landed + unsplittable)
    rows_rejected: int = 0      # records DuckDB could not split into columns
    max_row: int = 0            # highest file row number used (row ids are offset by it)
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_staging_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    cols = ", ".join(f'"{c}" VARCHAR' for c in source.column_names)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {RAW_TABLE} (_file VARCHAR, _row BIGINT, _rid BIGINT, {cols});
        CREATE OR REPLACE TEMP TABLE {ANSWERS_TABLE} (_rid BIGINT, question_id VARCHAR, answer VARCHAR);
        CREATE OR REPLACE TEMP TABLE {REJECTS_TABLE} (_file VARCHAR, _row BIGINT, error_type VARCHAR, reason VARCHAR, raw_text VARCHAR);
    """)


def normalise_header(name: str) -> str:
    return name.strip().lower()


def _map_header(source: Source, header: list[str], question_ids: set[str], file_name: str
                ) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Contract column -> position, question column -> position, unknown names."""
    names = [normalise_header(h) for h in header]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n == "":
            continue
        if n in seen:
            raise FileRefused(f"the column {n!r} appears twice in the header")
        seen[n] = i
    known = {n: seen[n] for n in source.column_names if n in seen}
    missing = [c for c in source.required_columns if c not in seen]
    if missing:
        hint = ""
        if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
            hint = " (the header looks delimited by ';', tab or '|': the contract requires commas)"
        raise FileRefused(f"missing required column(s): {', '.join(missing)}{hint}")
    questions = {n: i for n, i in seen.items() if source.question_columns and n in question_ids}
    unknown = [header[i].strip() for n, i in seen.items() if n not in known and n not in questions]
    return known, questions, unknown


def sniff_format(path: Path) -> str:
    with open(path, "rb") as f:
        return "xlsx" if f.read(4) == XLSX_MAGIC else "csv"


def land_file(con: duckdb.DuckDBPyConnection, source: Source, path: Path, rid_offset: int,
              question_ids: set[str]) -> LandedFile:
    """Append one file's records to the staging tables. Raises FileRefused."""
    landed = LandedFile(source.name, path.name)
    if path.stat().st_size == 0:
        raise FileRefused("the file is empty (no header row)")
    fmt = sniff_format(path)
    if fmt not in source.formats:
        raise FileRefused(f"{source.name} extracts must be {' or '.join(source.formats).upper()}; this file is {fmt.upper()}")
    if fmt == "xlsx":
        header, records = _read_xlsx(path, source)
    else:
        header = _read_csv_header(path)
    known, questions, unknown = _map_header(source, header, question_ids, path.name)
    landed.unknown_columns = unknown
    if fmt == "xlsx":
        _land_records(con, source, path.name, records, known, questions, rid_offset, landed)
    else:
        _land_csv(con, source, path, len(header), known, questions, rid_offset, landed)
    if landed.rows_read == 0:
        landed.notes.append("the file has a header but no data rows")
    return landed


# ------------------------------------------------------------------ CSV
def _read_csv_header(path: Path) -> list[str]:
    with open(path, "rb") as f:
        first = f.readline(1_000_000)
    if b"\x00" in first:
        raise FileRefused("the file is binary, not CSV text")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("the header is not UTF-8 text (re-export the file as UTF-8 CSV)") from None
    text = text.rstrip("\r\n")
    if not text.strip():
        raise FileRefused("the first line is empty: no header row")
    try:
        return next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as e:
        raise FileRefused(f"the header cannot be read as CSV ({e})") from None


def _land_csv(con, source: Source, path: Path, n_cols: int, known: dict[str, int],
              questions: dict[str, int], rid_offset: int, landed: LandedFile) -> None:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_cols)) + "}"
    con.execute("DROP TABLE IF EXISTS _rej; DROP TABLE IF EXISTS _rej_scan; DROP TABLE IF EXISTS _file_raw")
    try:
        # Materialise the whole file first: DuckDB only checks what a query
        # reads, so counting or projecting before this could skip bad records.
        con.execute(f"""
            CREATE TEMP TABLE _file_raw AS
            SELECT * FROM read_csv({sql_str(str(path))}, header = true, auto_detect = false,
                delim = ',', quote = '"', escape = '"', columns = {columns},
                store_rejects = true, rejects_table = '_rej', rejects_scan = '_rej_scan',
                strict_mode = true, encoding = 'utf-8', parallel = false)
        """)
    except duckdb.Error as e:
        raise FileRefused(f"the file cannot be read as CSV: {str(e).splitlines()[0][:300]}") from None
    rejects = con.execute("""
        SELECT line - 1 AS rec, min(error_type) AS error_type, string_agg(DISTINCT error_message, '; ') AS msg,
               min(csv_line) AS raw_text
        FROM _rej GROUP BY line ORDER BY line
    """).fetchall()
    n_ok = con.execute("SELECT count(*) FROM _file_raw").fetchone()[0]
    landed.rows_rejected = len(rejects)
    landed.rows_read = landed.max_row = n_ok + len(rejects)

    # File row numbers: accepted records fill the numbers not taken by rejects.
    if rejects:
        taken = np.array([r[0] for r in rejects], dtype=np.int64)
        rows = np.setdiff1d(np.arange(1, landed.rows_read + 1, dtype=np.int64), taken)[:n_ok]
        rowmap = pd.DataFrame({"_pos": np.arange(n_ok, dtype=np.int64), "_row": rows})  # noqa: F841
        row_expr, join = "m._row", "JOIN rowmap m ON m._pos = f.rowid"
    else:
        row_expr, join = "f.rowid + 1", ""

    select_cols = ", ".join(
        (f"f.c{known[c]}" if c in known else "NULL") for c in source.column_names)
    con.execute(f"""
        INSERT INTO {RAW_TABLE}
        SELECT {sql_str(path.name)}, {row_expr}, {rid_offset} + {row_expr}, {select_cols}
        FROM _file_raw f {join}
    """)
    if questions:
        unpivot = " UNION ALL ".join(
            f"SELECT {rid_offset} + {row_expr} AS _rid, {sql_str(q)} AS question_id, f.c{i} AS answer FROM _file_raw f {join}"
            for q, i in questions.items())
        con.execute(f"INSERT INTO {ANSWERS_TABLE} SELECT * FROM ({unpivot}) WHERE answer IS NOT NULL AND trim(answer) <> ''")
    for rec, error_type, msg, raw_text in rejects:
        con.execute(f"INSERT INTO {REJECTS_TABLE} VALUES (?, ?, ?, ?, ?)",
                    [path.name, rec, error_type, _reject_reason(error_type, msg), raw_text])
    con.execute("DROP TABLE IF EXISTS _rej; DROP TABLE IF EXISTS _rej_scan; DROP TABLE IF EXISTS _file_raw")


def _reject_reason(error_type: str, message: str) -> str:
    reasons = {
        "MISSING COLUMNS": "the record has fewer fields than the header",
        "TOO MANY COLUMNS": "the record has more fields than the header",
        "UNQUOTED VALUE": "a quoted field is not closed (unbalanced quotes)",
        "INVALID ENCODING": "the record is not valid UTF-8 (was the file saved as Windows-1252? re-export as UTF-8)",
        "LINE SIZE OVER MAXIMUM": "the record is longer than the maximum line size",
    }
    return reasons.get(error_type, f"the record cannot be read: {message}")


# ------------------------------------------------------------------ XLSX
def _read_xlsx(path: Path, source: Source) -> tuple[list[str], list[tuple[int, list]]]:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as e:  # calamine raises several types for corrupt workbooks
        raise FileRefused(f"the workbook cannot be read: {e}") from None
    if not rows:
        raise FileRefused("the first sheet is empty (no header row)")
    header = ["" if v is None else str(v) for v in rows[0]]
    records = [(i, r) for i, r in enumerate(rows[1:], start=1)
               if any(v not in (None, "") for v in r)]
    return header, records


def _excel_text(value, col_type: str) -> str | None:
    """An Excel cell as the text the contract expects in a CSV."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if col_type == "date":
            return value.strftime("%Y-%m-%d")
        if col_type == "month":
            return value.strftime("%Y-%m")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if col_type == "month" else value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        if value.is_integer() and col_type in ("integer", "text", "bool"):
            return str(int(value))
        return repr(value)
    return str(value)


def _land_records(con, source: Source, file_name: str, records: list[tuple[int, list]],
                  known: dict[str, int], questions: dict[str, int], rid_offset: int,
                  landed: LandedFile) -> None:
    def cell(r: list, i: int, col_type: str) -> str | None:
        return _excel_text(r[i], col_type) if i < len(r) else None

    data = {"_file": [file_name] * len(records),
            "_row": [n for n, _ in records],
            "_rid": [rid_offset + n for n, _ in records]}
    for c in source.columns:
        data[c.name] = [cell(r, known[c.name], c.type) if c.name in known else None for _, r in records]
    frame = pd.DataFrame(data).astype({c: "object" for c in source.column_names})  # noqa: F841
    con.execute(f"INSERT INTO {RAW_TABLE} SELECT * FROM frame")
    if questions:
        answers = pd.DataFrame(  # noqa: F841
            [(rid_offset + n, q, cell(r, i, "text")) for n, r in records for q, i in questions.items()],
            columns=["_rid", "question_id", "answer"])
        con.execute(f"INSERT INTO {ANSWERS_TABLE} SELECT * FROM answers WHERE answer IS NOT NULL")
    landed.rows_read = len(records)
    landed.max_row = records[-1][0] if records else 0
