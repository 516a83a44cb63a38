"""Where things live. Paths default to the repository layout; the CLI overrides them."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = Path(os.environ.get("CX_REFERENCE_DIR", REPO_ROOT / "data" / "reference"))
EXPECTATIONS_DIR = Path(os.environ.get("CX_EXPECTATIONS_DIR", REPO_ROOT / "expectations"))
CONTRACT_FILE = Path(__file__).resolve().parent / "contract" / "sources.yaml"
MODELS_DIR = Path(__file__).resolve().parent / "models"

DEFAULT_RAW_DIR = REPO_ROOT / "data" / "raw"
DEFAULT_MARTS_DIR = REPO_ROOT / "data" / "marts"
DEFAULT_STATE_DIR = REPO_ROOT / "data" / "state"

# Rows validated together by Great Expectations. Bounded so a five-year first
# load never holds more than this many rows of one source in pandas at once.
VALIDATION_CHUNK_ROWS = int(os.environ.get("CX_VALIDATION_CHUNK_ROWS", "1500000"))

# How the row-level checks run: "sql" (pipelines/checks_sql: compiled to SQL in
# DuckDB, GX on pandas only for what is not compiled) or "gx" (every check by
# Great Expectations on a pandas DataFrame of the chunk, as before). Read at call time.
CHECKS_ENGINES = ("sql", "gx")


def checks_engine() -> str:
    engine = os.environ.get("CX_CHECKS_ENGINE", "sql").strip().lower()
    if engine not in CHECKS_ENGINES:
        raise ValueError(f"CX_CHECKS_ENGINE must be one of {', '.join(CHECKS_ENGINES)}, not {engine!r}")
    return engine

# DuckDB resources: the server has 2 cores, and the whole run must stay within
# 2 GB (issue 13). DuckDB's limit covers its buffers only; Python with Great
# Expectations and pandas loaded holds another ~400 MB, so DuckDB gets 1.5 GB
# and spills to state/duckdb_tmp beyond it.
DUCKDB_THREADS = int(os.environ.get("CX_DUCKDB_THREADS", "2"))
DUCKDB_MEMORY_LIMIT = os.environ.get("CX_DUCKDB_MEMORY_LIMIT", "1500MB")

# How many published runs to keep under MARTS/runs/ (current plus fallbacks).
KEEP_PUBLISHED_RUNS = 3

# An .xlsx is a zip of XML: a few kilobytes can unpack to gigabytes, or claim a
# sheet of billions of cells that the reader would allocate. A workbook beyond
# these bounds is refused with the reason before it is unpacked.
XLSX_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("CX_XLSX_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024)))
XLSX_MAX_ROWS = int(os.environ.get("CX_XLSX_MAX_ROWS", "500000"))
XLSX_MAX_CELLS = int(os.environ.get("CX_XLSX_MAX_CELLS", "5000000"))

# A run that would remove more than this share of a source's files (two or more),
# or all of them, stops before publishing unless --allow-removals is given.
MAX_REMOVED_SHARE = float(os.environ.get("CX_MAX_REMOVED_SHARE", "0.25"))
