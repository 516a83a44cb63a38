"""The persistent DuckDB warehouse in the state directory.

It keeps every accepted row of every file with the file it came from (`land_*`
tables), what was quarantined and why, which files were processed or refused,
and the history of runs. Marts are rebuilt from it by the SQL models, so a
nightly run that reads one new file and a full rebuild from every file give the
same marts.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.contract import Source, load_sources
from pipelines.settings import DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS

WAREHOUSE_FILE = "warehouse.duckdb"

DUCKDB_TYPES = {
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "month": "DATE",  # first day of the month
    "bool": "BOOLEAN",
    "decimal": "DECIMAL(18, 2)",
    "number": "DOUBLE",
    "integer": "BIGINT",
}

LOG_TABLES_DDL = """
CREATE TABLE IF NOT EXISTS ingest_files (
    source VARCHAR, file_name VARCHAR, sha256 VARCHAR, size_bytes BIGINT, fingerprint VARCHAR,
    status VARCHAR,             -- loaded | refused
    reason VARCHAR,             -- why it was refused
    rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, rows_flagged BIGINT,
    unknown_columns VARCHAR[], notes VARCHAR[],
    run_id VARCHAR, processed_at TIMESTAMP, delivered_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS quarantine (
    source VARCHAR, file_name VARCHAR, row_number BIGINT, record_key VARCHAR,
    check_name VARCHAR, severity VARCHAR, reason VARCHAR,
    record VARCHAR,             -- the row as delivered (JSON); may hold pseudonymised ids
    masked_column VARCHAR,      -- a column the check says may hold personal data
    run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS flagged_rows (
    source VARCHAR, file_name VARCHAR, row_number BIGINT, check_name VARCHAR, severity VARCHAR, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS check_runs (
    run_id VARCHAR, source VARCHAR, check_name VARCHAR, description VARCHAR, severity VARCHAR,
    on_failure VARCHAR, rows_checked BIGINT, rows_failed BIGINT, files_failed BIGINT, error VARCHAR
);
CREATE TABLE IF NOT EXISTS source_runs (
    run_id VARCHAR, source VARCHAR, files_seen BIGINT, files_new BIGINT, files_changed BIGINT,
    files_removed BIGINT, files_refused BIGINT, rows_read BIGINT, rows_loaded BIGINT,
    rows_quarantined BIGINT, rows_flagged BIGINT, seconds DOUBLE, seconds_validating DOUBLE
);
CREATE TABLE IF NOT EXISTS suite_errors (
    run_id VARCHAR, source VARCHAR, message VARCHAR
);
-- What the landing zone holds that is not read (links, folders, pipes, temporary
-- names, files that vanished while read), as the last run of each source saw it.
CREATE TABLE IF NOT EXISTS skipped_files (
    source VARCHAR, file_name VARCHAR, reason VARCHAR, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR, mode VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
    files_seen BIGINT, files_new BIGINT, files_changed BIGINT, files_removed BIGINT,
    files_refused BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, rows_flagged BIGINT,
    seconds DOUBLE, message VARCHAR
);
-- Kept across --full-refresh: what a file's bytes are, and what the suites said of them.
CREATE TABLE IF NOT EXISTS file_stats (
    source VARCHAR, file_name VARCHAR, size_bytes BIGINT, mtime_ns BIGINT, sha256 VARCHAR
);
CREATE TABLE IF NOT EXISTS validation_cache (
    source VARCHAR, sha256 VARCHAR, fingerprint VARCHAR,
    refused_reason VARCHAR,     -- a refuse_file check failed
    check_stats JSON,           -- check name -> [rows checked, rows failed]
    created_run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS validation_cache_rows (
    source VARCHAR, sha256 VARCHAR, fingerprint VARCHAR, row_number BIGINT,
    check_name VARCHAR, severity VARCHAR, on_failure VARCHAR, reason VARCHAR, masked_column VARCHAR
);
CREATE TABLE IF NOT EXISTS land_survey_answers (
    _file VARCHAR, _row BIGINT, question_id VARCHAR, answer VARCHAR
);
"""


def land_table(source: str) -> str:
    return f"land_{source}"


def land_table_ddl(source: Source) -> str:
    cols = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in source.columns)
    return f"CREATE TABLE IF NOT EXISTS {land_table(source.name)} (_file VARCHAR, _row BIGINT, _key VARCHAR, {cols})"


def connect(state_dir: Path) -> duckdb.DuckDBPyConnection:
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = state_dir / "duckdb_tmp"
    tmp.mkdir(exist_ok=True)
    con = duckdb.connect(str(state_dir / WAREHOUSE_FILE))
    con.execute(f"SET threads = {DUCKDB_THREADS}; SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'; "
                f"SET temp_directory = '{tmp}'; SET TimeZone = 'Europe/London'; "
                # extracts are read through /proc/self/fd/N (readers.py): a path
                # that names another file once the number is reused, so never cache by it
                "SET cache_local_files = false")
    return con


DAMAGED_SUFFIX = ".damaged"


class WarehouseDamaged(Exception):
    """The warehouse file cannot be read: it is set aside and rebuilt from RAW."""


def looks_damaged(error: BaseException) -> bool:
    """A DuckDB error that says the file itself is broken (not a query's fault).
    Another process holding the file is not damage: that run must not rebuild."""
    if not isinstance(error, duckdb.Error):
        return False
    text = str(error)
    if "lock" in text.lower():
        return False
    if isinstance(error, duckdb.SerializationException):
        return True  # the catalogue cannot be read back
    return any(s in text for s in ("not a valid DuckDB database", "Could not read enough bytes", "Corrupt",
                                   "corrupt", "checksum", "Checksum"))


def open_checked(state_dir: Path) -> duckdb.DuckDBPyConnection:
    """Connect, create what is missing, and read the tables a run starts from:
    raises WarehouseDamaged (with DuckDB's words) when the file cannot be used."""
    con = None
    try:
        con = connect(state_dir)
        ensure_schema(con)
        for table in ("ingest_files", "file_stats", "runs", "validation_cache"):
            con.execute(f"SELECT * FROM {table}").fetchall()
        for source in load_sources().values():
            con.execute(f"SELECT count(*) FROM {land_table(source.name)}").fetchall()
        return con
    except duckdb.Error as e:
        if con is not None:
            con.close()
        if not looks_damaged(e):
            raise
        raise WarehouseDamaged(str(e).splitlines()[0][:300]) from e


def set_aside(state_dir: Path) -> Path:
    """Move a damaged warehouse (and its write-ahead log) out of the way, keeping
    the latest one for a look; the next connect starts an empty warehouse."""
    path = state_dir / WAREHOUSE_FILE
    kept = state_dir / (WAREHOUSE_FILE + DAMAGED_SUFFIX)
    if path.exists():
        os.replace(path, kept)
    wal = state_dir / (WAREHOUSE_FILE + ".wal")
    if wal.exists():
        os.replace(wal, state_dir / (WAREHOUSE_FILE + ".wal" + DAMAGED_SUFFIX))
    return kept


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    from pipelines.weighting import WEIGHT_TABLES_DDL

    con.execute(LOG_TABLES_DDL)
    con.execute(WEIGHT_TABLES_DDL)
    for source in load_sources().values():
        con.execute(land_table_ddl(source))


def reset(con: duckdb.DuckDBPyConnection) -> None:
    """Forget every processed file (full refresh): the run re-reads all of RAW.

    The run history and past check results are kept: they are a log, not data.
    So is the validation cache (a file's checks, keyed by its sha256 and the
    suite's fingerprint): a file re-read with the same bytes and the same suite
    gets the same outcome without running Great Expectations again. Known file
    hashes are forgotten, so every file is hashed again.
    """
    con.execute("BEGIN")
    for source in load_sources().values():
        con.execute(f"DELETE FROM {land_table(source.name)}")
    con.execute("DELETE FROM land_survey_answers; DELETE FROM ingest_files; "
                "DELETE FROM quarantine; DELETE FROM flagged_rows; DELETE FROM file_stats")
    con.execute("COMMIT")
