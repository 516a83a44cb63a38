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
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract import Source
from pipelines.landing import NotADelivery, RawFile, fd_path, open_plain_file
from pipelines.xlsx_bounds import workbook_problem

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
    # a NUL or another control byte after the header: only then are its records
    # checked one by one for them (typing_sql), which costs time on every value
    has_control_bytes: bool = False


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
            named = repr(n) if _looks_like_a_column_name(n) else f"in position {i + 1}"
            raise FileRefused(f"the column {named} appears twice in the header")
        seen[n] = i
    known = {n: seen[n] for n in source.column_names if n in seen}
    missing = [c for c in source.required_columns if c not in seen]
    if missing:
        hint = ""
        if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
            hint = " (the header looks delimited by ';', tab or '|': the contract requires commas)"
        else:
            # A renamed column shows as one missing and one unknown: name both.
            # Only names shaped like column names are quoted: a header row that is
            # really a record (or another kind of file) is content, never repeated.
            strangers = [header[i].strip() for n, i in seen.items()
                         if n not in source.column_names and n not in question_ids]
            quoted = [s for s in strangers if _looks_like_a_column_name(s)]
            others = len(strangers) - len(quoted)
            if strangers:
                named = [repr(s) for s in quoted[:5]] + (["..."] if len(quoted) > 5 else [])
                if others:
                    named.append(f"{others} more that do not look like column names (not shown)")
                hint = f" (the file has column(s) the contract does not name: {', '.join(named)})"
        raise FileRefused(f"missing required column(s): {', '.join(missing)}{hint}")
    questions = {n: i for n, i in seen.items() if source.question_columns and n in question_ids}
    unknown = [header[i].strip() for n, i in seen.items() if n not in known and n not in questions]
    return known, questions, unknown


_COLUMN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ .-]{0,39}")


def _looks_like_a_column_name(name: str) -> bool:
    return bool(_COLUMN_NAME.fullmatch(name.strip()))


def sniff_format(path: Path | str) -> str:
    with open(path, "rb") as f:
        return "xlsx" if f.read(4) == XLSX_MAGIC else "csv"


# Row ids are unique within a chunk: the file's place in the chunk, then its row.
ROWS_PER_FILE_ID = 100_000_000


def row_id(seq: int, row: int) -> int:
    return seq * ROWS_PER_FILE_ID + row


@dataclass
class _Pending:
    seq: int
    path: Path          # the delivery's name in the landing zone
    open_path: str      # the open file itself (landing.fd_path): what every reader reads
    header: list[str]
    known: dict[str, int]
    questions: dict[str, int]
    landed: LandedFile


# Files read by one read_csv call (each is held open until it is read).
MAX_GROUP_FILES = 200


def land_files(con: duckdb.DuckDBPyConnection, source: Source, files: list[RawFile], question_ids: set[str]
               ) -> tuple[dict[str, LandedFile], dict[str, str], dict[str, str]]:
    """Append files' records to the staging tables: (landed files, refused file -> reason,
    skipped file -> reason). A file is skipped, not refused, when it vanished or changed
    since the landing zone was listed: it is read on a later run.

    Each file is opened once, without following links, and checked to be the plain
    file that was listed (size and modification time); the readers then read that
    open file (never its name, so a name holding `*` or `[` is not a glob pattern).
    Consecutive CSV files with the same header are read by one `read_csv` call:
    daily extracts come in thousands, and one call per file costs more than the reading."""
    landed: dict[str, LandedFile] = {}
    refused: dict[str, str] = {}
    skipped: dict[str, str] = {}
    group: list[_Pending] = []
    open_fds: list[int] = []

    def flush() -> None:
        if group:
            _land_csv_group(con, source, group, refused)
            for p in group:
                if p.path.name not in refused:
                    landed[p.path.name] = p.landed
            group.clear()
        while open_fds:
            os.close(open_fds.pop())

    try:
        for seq, raw_file in enumerate(files):
            path = raw_file.path
            lf = LandedFile(source.name, path.name)
            try:
                fd = open_plain_file(path, expect=(raw_file.size_bytes, raw_file.mtime_ns))
            except NotADelivery as e:
                skipped[path.name] = str(e)
                continue
            open_fds.append(fd)
            opened = fd_path(fd)
            try:
                if raw_file.size_bytes == 0:
                    raise FileRefused("the file is empty (no header row)")
                fmt = sniff_format(opened)
                if fmt not in source.formats:
                    raise FileRefused(f"{source.name} extracts must be {' or '.join(source.formats).upper()}; "
                                      f"this file is {fmt.upper()}")
                if fmt == "xlsx":
                    header, records = _read_xlsx(opened, source)
                    known, questions, lf.unknown_columns = _map_header(source, header, question_ids, path.name)
                    flush()
                    _land_records(con, source, path.name, records, known, questions, seq, lf)
                    landed[path.name] = lf
                    continue
                header = _read_csv_header(opened)
                known, questions, lf.unknown_columns = _map_header(source, header, question_ids, path.name)
            except FileRefused as e:
                refused[path.name] = str(e)
                if not group:
                    flush()
                continue
            if group and (group[0].header != header or len(group) >= MAX_GROUP_FILES):
                fd = open_fds.pop()  # keep this one open for the next group
                flush()
                open_fds.append(fd)
            group.append(_Pending(seq, path, opened, header, known, questions, lf))
        flush()
    finally:
        for fd in open_fds:
            os.close(fd)
    for lf in landed.values():
        if lf.rows_read == 0:
            lf.notes.append("the file has a header but no data rows")
    return landed, refused, skipped


# ------------------------------------------------------------------ CSV
MAX_HEADER_BYTES = 1_000_000


# Bytes no text extract holds (C0 controls other than tab, CR, LF; and DEL).
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
BINARY_SAMPLE_BYTES = 65_536
BINARY = "the file is binary, not CSV text"
# Signatures of compressed and binary formats sometimes sent under a .csv name.
_BINARY_SIGNATURES = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"\x89PNG", b"\xff\xd8\xff",
                      b"GIF8", b"%PDF", b"\xd0\xcf\x11\xe0")
UTF16 = ("the file is UTF-16 text (as some Windows tools save \"Unicode\" text); extracts must be UTF-8: "
         "re-export it as UTF-8 CSV")
CR_ONLY = ("the lines end with a carriage return only (CR, as old Mac software writes them), not LF or CRLF: "
           "re-export the file with standard line ends")


def _text_problem(sample: bytes) -> str | None:
    """Why the file is not UTF-8 text at all, judged on its first bytes, or None.

    One rule for control bytes: a file whose first 64 KB are dense with them
    (more than 1 in 1,000) is not text; a stray one, a NUL included, wherever
    it is in the file, costs only the record holding it (typing_sql quarantines
    it). UTF-16 and UTF-32 are named as such: they are text, in the wrong encoding."""
    if not sample:
        return None
    if sample.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or _looks_utf32(sample):
        return UTF16.replace("UTF-16", "UTF-32")
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(sample):
        return UTF16
    if sample.startswith(_BINARY_SIGNATURES):
        return BINARY
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(2, len(sample) // 1000):
        return BINARY
    return None


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL beside every character."""
    pairs = len(sample) // 2
    if pairs < 4:
        return False
    even, odd = sample[0:pairs * 2:2], sample[1:pairs * 2:2]
    return max(even.count(0), odd.count(0)) > 0.4 * pairs and min(even.count(0), odd.count(0)) < 0.05 * pairs


def _looks_utf32(sample: bytes) -> bool:
    """UTF-32 without a byte-order mark: three NULs beside every ASCII character."""
    quads = len(sample) // 4
    if quads < 4:
        return False
    nuls = [sample[i:quads * 4:4].count(0) for i in range(4)]
    return sorted(nuls)[1] > 0.9 * quads and min(nuls) < 0.05 * quads


def _looks_binary(sample: bytes) -> bool:
    return _text_problem(sample) is not None


def _read_csv_header(path: Path | str) -> list[str]:
    with open(path, "rb") as f:
        sample = f.read(BINARY_SAMPLE_BYTES)
        f.seek(0)
        first = f.readline(MAX_HEADER_BYTES)
    problem = _text_problem(sample)
    if problem:
        raise FileRefused(problem)
    line = first.rstrip(b"\n")
    if line.endswith(b"\r"):
        line = line[:-1]
    if b"\r" in line:
        raise FileRefused(CR_ONLY)
    if len(first) >= MAX_HEADER_BYTES and not first.endswith(b"\n"):
        raise FileRefused(f"the first line is over {MAX_HEADER_BYTES:,} bytes long, so it is not a header row "
                          "(is this a CSV extract with one record a line?)")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("the header is not UTF-8 text (re-export the file as UTF-8 CSV)") from None
    text = text.rstrip("\r\n")
    if not text.strip():
        raise FileRefused("the first line is empty: no header row")
    try:
        return next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration):
        raise FileRefused("the header row cannot be read as CSV (a quote in it is out of place)") from None


def _land_csv_group(con, source: Source, group: list[_Pending], refused: dict[str, str]) -> None:
    """Read files sharing one header with a single read_csv; if DuckDB cannot read
    the group, read its files one by one so only the unreadable one is refused.
    A file with a quote left open is read again record by record (see below).

    Every file's records are then reconciled with its lines: DuckDB 2.0, reading
    five or more files in one call, neither reports a quote left open nor keeps
    the records after it (tests/test_hostile_inputs.py). A file whose records do
    not account for its lines is read again alone, and record by record if it
    then shows an open quote or a rejected record spanning lines."""
    try:
        broken_quotes = _read_csv_group(con, source, group)
    except FileRefused as e:
        if len(group) == 1:
            refused[group[0].path.name] = str(e)
            return
        broken_quotes = set()
        for p in group:
            try:
                broken_quotes |= _read_csv_group(con, source, [p])
            except FileRefused as e1:
                refused[p.path.name] = str(e1)
        group = [p for p in group if p.path.name not in refused]
    for p in group:
        name = p.path.name
        lines, p.landed.has_control_bytes = _scan_data_lines(p.open_path)
        if name in broken_quotes:
            _reland_record_by_record(con, source, p)
            continue
        if lines <= p.landed.rows_read:
            continue
        if len(group) > 1:
            _forget_landed(con, p)
            try:
                if _read_csv_group(con, source, [p]):
                    _reland_record_by_record(con, source, p)
                    continue
            except FileRefused as e:
                refused[name] = str(e)
                continue
        if p.landed.rows_rejected and lines > p.landed.rows_read:
            _reland_record_by_record(con, source, p)
        # else: quoted fields holding line breaks, which DuckDB read correctly


def _count_data_lines(path: Path | str) -> int:
    return _scan_data_lines(path)[0]


def _scan_data_lines(path: Path | str) -> tuple[int, bool]:
    """Lines after the header that hold something (an upper bound on records), and
    whether any control byte (a NUL included) is among them: one pass in C."""
    n = blank = 0
    controls = False
    last = b"\n"
    with open(path, "rb") as f:
        f.readline(MAX_HEADER_BYTES)
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
            blank += chunk.count(b"\n\n") + chunk.count(b"\n\r\n")
            controls = controls or len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk)
            last = chunk[-1:]
    if last != b"\n":
        n += 1
    return n - blank, controls


def _forget_landed(con, p: _Pending) -> None:
    """Remove what a file put in the staging tables, to read it again."""
    con.execute(f"DELETE FROM {RAW_TABLE} WHERE _file = ?", [p.path.name])
    con.execute(f"DELETE FROM {REJECTS_TABLE} WHERE _file = ?", [p.path.name])
    con.execute(f"DELETE FROM {ANSWERS_TABLE} WHERE _rid >= ? AND _rid < ?",
                [row_id(p.seq, 0), row_id(p.seq + 1, 0)])


def _read_csv_group(con, source: Source, group: list[_Pending]) -> set[str]:
    """Land the group; returns the names of files where a quote was left open."""
    first = group[0]
    n_cols = len(first.header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_cols)) + "}"
    paths = "[" + ", ".join(sql_str(p.open_path) for p in group) + "]"
    con.execute("DROP TABLE IF EXISTS _rej; DROP TABLE IF EXISTS _rej_scan; DROP TABLE IF EXISTS _file_raw")
    try:
        # Materialise everything first: DuckDB only checks what a query reads,
        # so counting or projecting before this could skip bad records.
        con.execute(f"""
            CREATE TEMP TABLE _file_raw AS
            SELECT * FROM read_csv({paths}, header = true, auto_detect = false,
                delim = ',', quote = '"', escape = '"', columns = {columns}, filename = '_path',
                store_rejects = true, rejects_table = '_rej', rejects_scan = '_rej_scan',
                strict_mode = true, encoding = 'utf-8', max_line_size = 10000000)
        """)
    except duckdb.Error as e:
        raise FileRefused(f"the file cannot be read as CSV ({_plain_reader_error(e)})") from None
    by_path = {p.open_path: p for p in group}
    seq_of = pd.DataFrame({"_path": list(by_path), "_name": [p.path.name for p in group],  # noqa: F841
                           "_seq": [p.seq for p in group]})
    rejects = con.execute("""
        SELECT s.file_path, r.line - 1 AS rec, min(r.error_type), string_agg(DISTINCT r.error_message, '; '),
               min(r.csv_line), min(r.line_byte_position)
        FROM _rej r JOIN _rej_scan s USING (scan_id, file_id)
        GROUP BY s.file_path, r.line ORDER BY s.file_path, r.line
    """).fetchall()
    counts = dict(con.execute("SELECT _path, count(*) FROM _file_raw GROUP BY _path").fetchall())
    rejected_at: dict[str, list[int]] = {}
    for path, rec, *_ in rejects:
        rejected_at.setdefault(path, []).append(rec)
    for path, p in by_path.items():
        n_ok = counts.get(path, 0)
        p.landed.rows_rejected = len(rejected_at.get(path, []))
        p.landed.rows_read = p.landed.max_row = n_ok + p.landed.rows_rejected

    # File row numbers: the n-th accepted record of a file (read_csv keeps the
    # files' order and each file's record order, so it is the record's place
    # after the file's first), moved past any rejects that sit before it. The
    # numbering is a join with each file's first rowid, not a sort.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _file_first AS
        SELECT f._path, m._name, m._seq, min(f.rowid) AS _first, max(f.rowid) - min(f.rowid) + 1 = count(*) AS _whole
        FROM _file_raw f JOIN seq_of m USING (_path) GROUP BY ALL
    """)
    if con.execute("SELECT bool_and(_whole) FROM _file_first").fetchone()[0] is False:
        position = "row_number() OVER (PARTITION BY f._path ORDER BY f.rowid)"  # files interleaved: sort
    else:
        position = "f.rowid - m._first + 1"
    numbered = (f"(SELECT f.*, m._name, m._seq, {position} AS _row "
                "FROM _file_raw f JOIN _file_first m USING (_path))")
    known, questions = first.known, first.questions
    select_cols = ", ".join((f"c{known[c]}" if c in known else "NULL") for c in source.column_names)
    con.execute(f"""
        INSERT INTO {RAW_TABLE}
        SELECT _name, _row, _seq * {ROWS_PER_FILE_ID} + _row, {select_cols} FROM {numbered}
    """)
    if questions:
        unpivot = " UNION ALL ".join(
            f"SELECT _seq * {ROWS_PER_FILE_ID} + _row AS _rid, {sql_str(q)} AS question_id, c{i} AS answer "
            f"FROM {numbered}" for q, i in questions.items())
        con.execute(f"INSERT INTO {ANSWERS_TABLE} SELECT * FROM ({unpivot}) WHERE answer IS NOT NULL AND trim(answer) <> ''")
    for path, recs in rejected_at.items():
        _renumber_past_rejects(con, by_path[path], counts.get(path, 0), recs)
    broken_quotes = set()
    for path, rec, error_type, msg, raw_text, line_at in rejects:
        p = by_path[path]
        if error_type == "UNQUOTED VALUE" or "quote" in (msg or "").lower():
            broken_quotes.add(p.path.name)
        reason = _reject_reason(error_type, msg)
        if rec == p.landed.max_row and _ends_without_newline(p.open_path):
            reason = PARTIAL_LAST_LINE
        con.execute(f"INSERT INTO {REJECTS_TABLE} VALUES (?, ?, ?, ?, ?)",
                    [p.path.name, rec, error_type, reason, _cut(raw_text, p.open_path, line_at)])
    con.execute("DROP TABLE IF EXISTS _rej; DROP TABLE IF EXISTS _rej_scan; DROP TABLE IF EXISTS _file_raw; "
                "DROP TABLE IF EXISTS _file_first")
    return broken_quotes


def _renumber_past_rejects(con, p: _Pending, n_ok: int, rejected: list[int]) -> None:
    """A file with records DuckDB could not split: its k-th landed record is the
    k-th record number not taken by a reject (rejects keep their own numbers)."""
    taken = np.array(rejected, dtype=np.int64)
    rows = np.setdiff1d(np.arange(1, n_ok + len(rejected) + 1, dtype=np.int64), taken)[:n_ok]
    moved = rows != np.arange(1, n_ok + 1, dtype=np.int64)
    if not moved.any():
        return
    old_rid = row_id(p.seq, 0) + np.arange(1, n_ok + 1, dtype=np.int64)[moved]
    rowmap = pd.DataFrame({"_old": old_rid, "_new_row": rows[moved],  # noqa: F841 - read by name below
                           "_new": row_id(p.seq, 0) + rows[moved]})
    con.execute(f"UPDATE {RAW_TABLE} SET _row = m._new_row, _rid = m._new FROM rowmap m "
                f"WHERE {RAW_TABLE}._rid = m._old")
    con.execute(f"UPDATE {ANSWERS_TABLE} SET _rid = m._new FROM rowmap m WHERE {ANSWERS_TABLE}._rid = m._old")


def _plain_reader_error(error: Exception) -> str:
    """DuckDB's first line about a file it cannot read, without any of the file's
    content: a refusal reason never quotes what the file holds."""
    first = str(error).splitlines()[0] if str(error).strip() else type(error).__name__
    first = first.split("Original Line")[0]
    first = re.sub(r'"[^"]*"|\'[^\']*\'', "...", first)
    first = re.sub(r"/proc/self/fd/\d+|/dev/fd/\d+", "the file", first)
    return first.strip().rstrip(":").strip()[:200]


PARTIAL_LAST_LINE = ("the last line is cut short and has no line end: the file was probably still being "
                     "written when it was read; the complete file will be read again when it arrives")
KEEP_RAW_CHARS = 10_000


def _cut(text: str | None, path: Path | str | None = None, line_at: int | None = None) -> str | None:
    """A rejected line is kept for the analyst, but not a 5 MB one whole.
    DuckDB hands over at most KEEP_RAW_CHARS of a line: its full length is then
    measured in the file, so the note says how much was left out."""
    if text is None:
        return text
    length = len(text)
    if path is not None and line_at is not None and length >= KEEP_RAW_CHARS:
        with open(path, "rb") as f:
            # DuckDB's line_byte_position: the line's first byte, or the one after it.
            start = line_at
            if line_at > 0:
                f.seek(line_at - 1)
                if f.read(1) != b"\n":
                    start = line_at - 1
            f.seek(start)
            length = 0
            while chunk := f.readline(1 << 20):
                length += len(chunk.rstrip(b"\r\n"))
                if chunk.endswith(b"\n"):
                    break
    if length <= KEEP_RAW_CHARS:
        return text
    return text[:KEEP_RAW_CHARS] + f" [... cut: {length:,} characters in all]"


def _ends_without_newline(path: Path | str) -> bool:
    with open(path, "rb") as f:
        f.seek(0, 2)
        if f.tell() == 0:
            return False
        f.seek(-1, 2)
        return f.read(1) not in (b"\n", b"\r")


# A quoted field may hold line breaks (a comment typed over several lines), but
# a quote still open after this many lines is a quote that was never closed.
MAX_RECORD_LINES = 1_000


def _reland_record_by_record(con, source: Source, p: _Pending) -> None:
    """A quote left open makes a CSV reader run on to the end of the file (or the
    next quote), swallowing the records after it. Such a file is read again here,
    one record at a time: a record is a line, or the lines a quoted field spans
    (its quotes balance within MAX_RECORD_LINES lines and it splits into the
    header's fields). A line whose quote never closes is rejected alone and
    reading carries on at the next line, so quoted line breaks elsewhere in the
    file, and every other record, are kept. Records are numbered in order."""
    name, n_cols = p.path.name, len(p.header)
    _forget_landed(con, p)
    with open(p.open_path, "rb") as f:
        f.readline(MAX_HEADER_BYTES)  # the header, read already
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [line.rstrip(b"\r") for line in lines]
    partial = _ends_without_newline(p.open_path)
    records: list[tuple[int, list]] = []
    rejects: list[list] = []
    i = row = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        row += 1
        end, quotes = i, lines[i].count(b'"')
        while quotes % 2 and end + 1 < len(lines) and end - i < MAX_RECORD_LINES:
            end += 1
            quotes += lines[end].count(b'"')
        last = end == len(lines) - 1
        if quotes % 2:  # never closed: this line alone is rejected
            rejects.append(_line_reject(name, row, lines[i], "UNQUOTED VALUE", partial and i == len(lines) - 1))
            i += 1
            continue
        raw = b"\n".join(lines[i:end + 1])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            rejects.append(_line_reject(name, row, raw, "INVALID ENCODING", False))
            i = end + 1
            continue
        parsed = _split_record(text)
        if parsed is None or len(parsed) != n_cols:
            if end > i:  # the lines joined are not one record: the first line's quote is the stray one
                rejects.append(_line_reject(name, row, lines[i], "UNQUOTED VALUE", False))
                i += 1
                continue
            kind = ("UNQUOTED VALUE" if parsed is None else
                    "MISSING COLUMNS" if len(parsed) < n_cols else "TOO MANY COLUMNS")
            rejects.append(_line_reject(name, row, raw, kind, partial and last))
            i = end + 1
            continue
        records.append((row, parsed))
        i = end + 1
    p.landed.rows_read = len(records) + len(rejects)
    p.landed.rows_rejected = len(rejects)
    p.landed.max_row = row
    _land_text_records(con, source, name, records, p.known, p.questions, p.seq)
    if rejects:
        con.executemany(f"INSERT INTO {REJECTS_TABLE} VALUES (?, ?, ?, ?, ?)", rejects)


def _split_record(text: str) -> list[str] | None:
    """The fields of one CSV record (it may hold quoted line breaks), or None."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def _line_reject(name: str, row: int, raw: bytes, kind: str, partial: bool) -> list:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    reason = PARTIAL_LAST_LINE if partial else _reject_reason(kind, "")
    return [name, row, kind, reason, _cut(text)]


def _land_text_records(con, source: Source, file_name: str, records: list[tuple[int, list]],
                       known: dict[str, int], questions: dict[str, int], seq: int) -> None:
    data = {"_file": [file_name] * len(records), "_row": [n for n, _ in records],
            "_rid": [row_id(seq, n) for n, _ in records]}
    for c in source.column_names:
        data[c] = [r[known[c]] if c in known else None for _, r in records]
    frame = pd.DataFrame(data).astype({c: "object" for c in source.column_names})  # noqa: F841
    con.execute(f"INSERT INTO {RAW_TABLE} SELECT * FROM frame")
    if questions:
        answers = pd.DataFrame(  # noqa: F841
            [(row_id(seq, n), q, r[i]) for n, r in records for q, i in questions.items()],
            columns=["_rid", "question_id", "answer"], dtype="object")
        con.execute(f"INSERT INTO {ANSWERS_TABLE} SELECT _rid::BIGINT, question_id, answer FROM answers "
                    "WHERE answer IS NOT NULL AND trim(answer) <> ''")


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
def _read_xlsx(path: Path | str, source: Source) -> tuple[list[str], list[tuple[int, list]]]:
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as f:
        problem = workbook_problem(f, os.fstat(f.fileno()).st_size)
    if problem:
        raise FileRefused(problem)
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as e:  # calamine raises several types for corrupt workbooks
        raise FileRefused(f"the workbook cannot be read ({_plain_reader_error(e)})") from None
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
                  known: dict[str, int], questions: dict[str, int], seq: int,
                  landed: LandedFile) -> None:
    def cell(r: list, i: int, col_type: str) -> str | None:
        return _excel_text(r[i], col_type) if i < len(r) else None

    data = {"_file": [file_name] * len(records),
            "_row": [n for n, _ in records],
            "_rid": [row_id(seq, n) for n, _ in records]}
    for c in source.columns:
        data[c.name] = [cell(r, known[c.name], c.type) if c.name in known else None for _, r in records]
    frame = pd.DataFrame(data).astype({c: "object" for c in source.column_names})  # noqa: F841
    con.execute(f"INSERT INTO {RAW_TABLE} SELECT * FROM frame")
    if questions:
        answers = pd.DataFrame(  # noqa: F841
            [(row_id(seq, n), q, cell(r, i, "text")) for n, r in records for q, i in questions.items()],
            columns=["_rid", "question_id", "answer"])
        con.execute(f"INSERT INTO {ANSWERS_TABLE} SELECT * FROM answers WHERE answer IS NOT NULL")
    landed.rows_read = len(records)
    landed.max_row = records[-1][0] if records else 0
    landed.has_control_bytes = True  # a cell may carry one escaped (_x0000_): workbooks are small, check them all
