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

# DuckDB resources: the server has 2 cores; the benchmark's goal is < 4 GB peak.
DUCKDB_THREADS = int(os.environ.get("CX_DUCKDB_THREADS", "2"))
DUCKDB_MEMORY_LIMIT = os.environ.get("CX_DUCKDB_MEMORY_LIMIT", "2GB")

# How many published runs to keep under MARTS/runs/ (current plus fallbacks).
KEEP_PUBLISHED_RUNS = 3
