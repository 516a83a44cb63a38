"""Incremental models: rebuild only what this run's changes touch, carry the rest over.

A model says how it can be brought up to date, as data, in a YAML block comment
in its own SQL file. Without one it is rebuilt in full every run (the safe
default, and right for every small model). Two kinds:

1. A staging model that keeps one row per key of a land table:

       /* incremental:
            unique_key: [call_id]     # the SQL keeps one row per key (the later file wins)
            period: offered_at        # the column that places a row in a month
            rows_from: land_calls     # the land table it deduplicates
       */

   It is kept as a table. When files are added, changed or removed, only the
   keys those files deliver now or delivered before are deduplicated again
   (the model's own SQL run over just those keys' land rows); the months where
   those keys' rows were or now are count as changed. A file whose rows are
   the same as before (a --full-refresh re-reading unchanged files) changes
   nothing. The SQL must decide each key's row from that key's rows alone.

2. A model whose rows each belong to one month:

       /* incremental:
            partition: month          # this model's column: the month (its first day) a row belongs to
            inputs:                   # incremental models it reads, and how far back a month looks
              stg_calls: 8 days before
              stg_contacts: same month
       */

   Each month is computed from its inputs' rows in that month plus the
   lookback before it: `same month`, `N days before`, `N months before` (a
   year-ago comparison is `12 months before`) or `financial year` (from the
   April before: financial-year pools). A run rebuilds the months whose inputs
   changed and every later month whose lookback reaches a changed month, and
   carries the others over. The SQL runs unchanged: for each run of
   consecutive months the inputs are shadowed by temporary views holding only
   the rows those months read, and the result is filtered to the months.

A declared model is rebuilt in full when it is new or its SQL changed, when a
relation it reads that is not a declared input (reference data) changed
content, or when a declared input was itself rebuilt in full. What each build
changed is logged (schema `incremental`) and each model remembers the last
build of each input it has caught up with, so a run killed between two models
is caught up by the next run. Each model's update and its bookkeeping commit
together.

Marts are not declared: they are published in their SQL's row order, so they
are rebuilt every run; a mart that reads a big table reads it through a small
incremental intermediate instead (fct_calls_daily reads int_calls_daily).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

SCHEMA = "incremental"
# Bump when the bookkeeping changes meaning: every declared model is then rebuilt.
VERSION = "1"

STATE_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE SEQUENCE IF NOT EXISTS {SCHEMA}.build_seq;
-- one row per declared model: what it was built from
-- built_from: what the model was built from; version: what its readers see of it
CREATE TABLE IF NOT EXISTS {SCHEMA}.models (
    model VARCHAR, definition VARCHAR, built_from VARCHAR, version VARCHAR, build_id BIGINT, seen JSON);
-- what each build changed: months, or everything (full_rebuild)
CREATE TABLE IF NOT EXISTS {SCHEMA}.changes (model VARCHAR, build_id BIGINT, full_rebuild BOOLEAN, month DATE);
-- per keyed model, the files (and their rows) it reflects
CREATE TABLE IF NOT EXISTS {SCHEMA}.files (
    model VARCHAR, file_name VARCHAR, ingest_hash HUGEINT, row_count BIGINT, rows_hash HUGEINT);
"""

# A keyed model is rebuilt in full rather than merged when the rows of changed
# files are more than this share of its rows (a merge then costs more).
MERGE_LIMIT = 0.3


class DeclarationError(ValueError):
    """A model's incremental declaration cannot be used."""


# ---------------------------------------------------------------- declarations
@dataclass(frozen=True)
class Lookback:
    """How far before a month's first day the month reads its input."""

    days: int = 0
    months: int = 0
    financial_year: bool = False

    def reads_from(self, month: dt.date) -> dt.date:
        if self.financial_year:
            return dt.date(month.year if month.month >= 4 else month.year - 1, 4, 1)
        return add_months(month, -self.months) - dt.timedelta(days=self.days)


@dataclass(frozen=True)
class ByKey:
    unique_key: tuple[str, ...]
    period: str
    rows_from: str


@dataclass(frozen=True)
class ByPeriod:
    partition: str
    inputs: dict[str, Lookback]


Declaration = ByKey | ByPeriod

_BLOCK = re.compile(r"/\*\s*(incremental:.*?)\*/", re.S)
_LOOKBACK = re.compile(r"^(\d+)\s+(day|days|month|months)\s+before$")


def parse_declaration(sql: str, where: str) -> Declaration | None:
    m = _BLOCK.search(sql)
    if not m:
        return None
    try:
        spec = yaml.safe_load(m[1])["incremental"]
    except yaml.YAMLError as e:
        raise DeclarationError(f"{where}: the incremental declaration is not valid YAML: {e}") from e
    if not isinstance(spec, dict):
        raise DeclarationError(f"{where}: `incremental:` must be a mapping (unique_key/period/rows_from "
                               "or partition/inputs)")
    if "unique_key" in spec:
        _only(spec, {"unique_key", "period", "rows_from"}, where)
        key = spec["unique_key"]
        key = (key,) if isinstance(key, str) else tuple(key or ())
        if not key or not all(isinstance(k, str) for k in key):
            raise DeclarationError(f"{where}: unique_key must name one or more columns")
        for field in ("period", "rows_from"):
            if not isinstance(spec.get(field), str):
                raise DeclarationError(f"{where}: a keyed model needs `{field}:` (a name)")
        return ByKey(key, spec["period"], spec["rows_from"])
    if "partition" in spec:
        _only(spec, {"partition", "inputs"}, where)
        inputs = spec.get("inputs")
        if not isinstance(spec["partition"], str) or not isinstance(inputs, dict) or not inputs:
            raise DeclarationError(f"{where}: a partitioned model needs `partition:` (a column) and `inputs:` "
                                   "(incremental models it reads, each with its lookback)")
        return ByPeriod(spec["partition"], {name: parse_lookback(v, f"{where}: input {name}")
                                            for name, v in inputs.items()})
    raise DeclarationError(f"{where}: say either unique_key/period/rows_from or partition/inputs")


def parse_lookback(text, where: str) -> Lookback:
    value = str(text).strip().lower()
    if value == "same month":
        return Lookback()
    if value == "financial year":
        return Lookback(financial_year=True)
    if m := _LOOKBACK.match(value):
        n = int(m[1])
        return Lookback(days=n) if m[2].startswith("day") else Lookback(months=n)
    raise DeclarationError(f"{where}: lookback {text!r} is not one of 'same month', 'N days before', "
                           "'N months before', 'financial year'")


def _only(spec: dict, allowed: set[str], where: str) -> None:
    if unknown := sorted(set(spec) - allowed):
        raise DeclarationError(f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


# ---------------------------------------------------------------- months
def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def affected_months(changed: set[dt.date], lookback: Lookback) -> set[dt.date]:
    """Months whose input range (lookback before the month, to its end) overlaps a changed month."""
    out: set[dt.date] = set()
    for c in changed:
        p = c
        while lookback.reads_from(p) < add_months(c, 1):
            out.add(p)
            p = add_months(p, 1)
    return out


def month_runs(months: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive months as (first, last) pairs."""
    runs: list[list[dt.date]] = []
    for m in sorted(months):
        if runs and add_months(runs[-1][1], 1) == m:
            runs[-1][1] = m
        else:
            runs.append([m, m])
    return [(a, b) for a, b in runs]


def describe_months(months: set[dt.date]) -> str:
    parts = [f"{a:%Y-%m}" if a == b else f"{a:%Y-%m}..{b:%Y-%m}" for a, b in month_runs(months)]
    if len(parts) > 4:
        parts = parts[:3] + [f"... ({len(months)} months)"]
    return ", ".join(parts)


# ---------------------------------------------------------------- SQL helpers
def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", " ", re.sub(r"/\*.*?\*/", " ", sql, flags=re.S))


def relations_read(sql: str, known: set[str]) -> set[str]:
    body = _strip_comments(sql)
    return {name for name in known if re.search(rf"\b{re.escape(name)}\b", body)}


# ---------------------------------------------------------------- state
class State:
    """The bookkeeping of declared models in the warehouse (schema `incremental`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        con.execute(STATE_DDL)
        columns = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
            f"AND table_schema = '{SCHEMA}' AND table_name = 'models'").fetchall()}
        if "built_from" not in columns:  # bookkeeping of an earlier shape: start again (all rebuilt)
            con.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
            con.execute(STATE_DDL)
        self.db = con.execute("SELECT current_database()").fetchone()[0]
        self.rows = {model: {"definition": d, "built_from": f, "version": v, "build_id": b,
                             "seen": json.loads(s or "{}")}
                     for model, d, f, v, b, s in con.execute(
                         f"SELECT model, definition, built_from, version, build_id, seen FROM {SCHEMA}.models"
                     ).fetchall()}

    def build_id(self, model: str) -> int | None:
        row = self.rows.get(model)
        return row["build_id"] if row else None

    def next_build_id(self) -> int:
        return self.con.execute(f"SELECT nextval('{SCHEMA}.build_seq')").fetchone()[0]

    def save(self, model: str, definition: str, built_from: str, build_id: int | None, seen: dict,
             version: str | None = None) -> None:
        """version: what readers see of the model (default: its build)."""
        version = version or f"build {build_id}"
        self.con.execute(f"DELETE FROM {SCHEMA}.models WHERE model = ?", [model])
        self.con.execute(f"INSERT INTO {SCHEMA}.models VALUES (?, ?, ?, ?, ?, ?)",
                         [model, definition, built_from, version, build_id, json.dumps(seen, sort_keys=True)])
        self.rows[model] = {"definition": definition, "built_from": built_from, "version": version,
                            "build_id": build_id, "seen": seen}

    def log_changes(self, model: str, build_id: int, months: set[dt.date] | None) -> None:
        """months None: everything changed (a full rebuild)."""
        if months is None:
            self.con.execute(f"INSERT INTO {SCHEMA}.changes VALUES (?, ?, TRUE, NULL)", [model, build_id])
        elif months:
            self.con.executemany(f"INSERT INTO {SCHEMA}.changes VALUES (?, ?, FALSE, ?)",
                                 [(model, build_id, m) for m in sorted(months)])

    def changes_since(self, model: str, build_id: int | None) -> tuple[bool, set]:
        """(rebuilt in full since, months changed since) for builds after build_id."""
        rows = self.con.execute(f"SELECT full_rebuild, month FROM {SCHEMA}.changes WHERE model = ? AND build_id > ?",
                                [model, -1 if build_id is None else build_id]).fetchall()
        return any(f for f, _ in rows), {m for f, m in rows if not f}

    def forget(self) -> None:
        """Every declared model is rebuilt in full by the next build."""
        self.con.execute(f"DELETE FROM {SCHEMA}.models; DELETE FROM {SCHEMA}.changes; DELETE FROM {SCHEMA}.files")
        self.rows = {}

    def prune(self, existing: set[str], declared: dict[str, Declaration]) -> None:
        """Drop the log entries every consumer has caught up with, the state of
        models that are gone and the key bookkeeping of models no longer keyed."""
        for model in list(self.rows):
            if model not in existing:
                self.con.execute(f"DELETE FROM {SCHEMA}.models WHERE model = ?", [model])
                del self.rows[model]
        for model in {r[0] for r in self.con.execute(f"SELECT DISTINCT model FROM {SCHEMA}.files").fetchall()}:
            if not isinstance(declared.get(model), ByKey):
                self.con.execute(f"DELETE FROM {SCHEMA}.files WHERE model = ?", [model])
                self.con.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{ident(model + '_keys')}")
        for model in declared:
            consumers = [name for name, d in declared.items() if isinstance(d, ByPeriod) and model in d.inputs
                         and name in self.rows]
            caught_up = min((self.rows[c]["seen"].get(model, -1) for c in consumers), default=None)
            if caught_up is None:
                caught_up = self.build_id(model) or 0
            self.con.execute(f"DELETE FROM {SCHEMA}.changes WHERE model = ? AND build_id <= ?", [model, caught_up])


# The SQL functions the models call are Python (pipelines/statistics.py): a
# change there changes what every model computes.
_FUNCTIONS = hashlib.sha256((Path(__file__).parent / "statistics.py").read_bytes()).hexdigest()


def definition_hash(sql: str) -> str:
    return hashlib.sha256((VERSION + "\n" + _FUNCTIONS + "\n" + sql).encode()).hexdigest()[:16]


_VOLATILE = re.compile(r"\b(now|today|current_date|current_time|current_timestamp|localtime|localtimestamp|"
                       r"get_current_time|get_current_timestamp|random|uuid|gen_random_uuid|setseed)\b", re.I)


def is_volatile(sql: str) -> bool:
    """The SQL reads a clock or a random source: its result differs between runs."""
    return bool(_VOLATILE.search(_strip_comments(sql)))
