"""Bring one model up to date: rebuild it in full, merge the keys whose files
changed, or rebuild the months whose inputs changed (pipelines/incremental.py
says when each applies). Returns a few words for the run's progress line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb

from pipelines.incremental import (
    MERGE_LIMIT,
    SCHEMA,
    ByKey,
    ByPeriod,
    DeclarationError,
    State,
    add_months,
    affected_months,
    definition_hash,
    describe_months,
    ident,
    is_volatile,
    month_runs,
    relations_read,
)
from pipelines.warehouse import land_sources

if TYPE_CHECKING:
    from pipelines.models import Model

# below this many rows touched a keyed model is always merged, whatever the share
MERGE_ALWAYS_ROWS = 50_000


def refresh(con: duckdb.DuckDBPyConnection, model: Model, state: State, versions: Versions) -> str:
    if model.incremental is None:
        return _refresh_whole(con, model, state, versions)
    if isinstance(model.incremental, ByKey):
        return _refresh_keyed(con, model, model.incremental, state, versions)
    return _refresh_partitioned(con, model, model.incremental, state, versions)


def _refresh_whole(con, model: Model, state: State, versions: Versions) -> str:
    """A model without a declaration: rebuilt in full, unless nothing it reads
    changed since it was last built (then what it holds is what a rebuild
    would give). One that calls a clock or random function is always rebuilt."""
    built_from = hashlib.sha256(json.dumps([definition_hash(model.sql), versions.inputs(model)]).encode()
                                ).hexdigest()[:16]
    row = state.rows.get(model.name)
    if (row is not None and row["built_from"] == built_from and not is_volatile(model.sql)
            and _existing_kind(con, model.schema, model.name) == model.materialisation):
        return "carried over (inputs unchanged)"
    with _transaction(con):
        _create(con, model)
        # Readers see a table by its content, so a rebuild that gives the same
        # rows leaves them carried over; a view by what it is built from.
        version = content_version(con, model.relation) if model.materialisation == "TABLE" else built_from
        state.save(model.name, definition_hash(model.sql), built_from, None, {}, version)
    same = row is not None and row["version"] == version
    return "rebuilt (same rows)" if same else "rebuilt"


# ---------------------------------------------------------------- helpers
def _body(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def _existing_kind(con, schema: str, name: str) -> str | None:
    row = con.execute("""
        SELECT 'TABLE' FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ?
          AND table_name = ?
        UNION ALL
        SELECT 'VIEW' FROM duckdb_views() WHERE database_name = current_database() AND schema_name = ?
          AND view_name = ? AND NOT internal""", [schema, name, schema, name]).fetchone()
    return row[0] if row else None


def _create(con, model: Model, order_by: str | None = None) -> None:
    """order_by: a column to store the rows in order of, so that reading a few
    months skips the rest (DuckDB keeps each column's range per row group)."""
    kind = _existing_kind(con, model.schema, model.name)
    if kind and kind != model.materialisation:  # a staging view became a table, or back
        con.execute(f"DROP {kind} {model.relation}")
    sql = _body(model.sql)
    if order_by:
        sql = f"SELECT * FROM (\n{sql}\n) AS _m ORDER BY {ident(order_by)}"
    con.execute(f"CREATE OR REPLACE {model.materialisation} {model.relation} AS\n{sql}")


@contextmanager
def _transaction(con):
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _strings(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _literal(value: dt.date, column_type: str) -> str:
    if column_type == "DATE":
        return f"DATE '{value:%Y-%m-%d}'"
    return f"CAST(TIMESTAMP '{value:%Y-%m-%d} 00:00:00' AS {column_type})"


def _column_type(con, schema: str, table: str, column: str) -> str:
    row = con.execute("SELECT data_type FROM information_schema.columns WHERE table_catalog = current_database() "
                      "AND table_schema = ? AND table_name = ? AND column_name = ?",
                      [schema, table, column]).fetchone()
    if row is None:
        raise DeclarationError(f"{schema}.{table} has no column {column!r} (named in an incremental declaration)")
    return row[0]


def _in_months(column: str, column_type: str, first: dt.date, last: dt.date, lookback_from: dt.date | None = None,
               alias: str = "") -> str:
    """Rows of the months first..last (reading from lookback_from, when earlier)."""
    col = f"{alias}{ident(column)}"
    start = lookback_from or first
    return (f"({col} >= {_literal(start, column_type)} AND "
            f"{col} < {_literal(add_months(last, 1), column_type)})")


def _month_filters(column: str, column_type: str, months: set, alias: str = "") -> list[str]:
    """One filter per run of consecutive months (each prunes by zone maps), and one for no month."""
    filters = [_in_months(column, column_type, a, b, alias=alias)
               for a, b in month_runs({m for m in months if m is not None})]
    if None in months:
        filters.append(f"{alias}{ident(column)} IS NULL")
    return filters


def _month_of(column: str) -> str:
    return f"date_trunc('month', {ident(column)})::DATE"


def content_version(con, relation: str) -> str:
    """A relation's rows and columns, in a few words (equal contents, equal words)."""
    count, total = con.execute(f"SELECT count(*), sum(hash(t))::VARCHAR FROM {relation} t").fetchone()
    columns = con.execute(f"SELECT string_agg(column_name || ' ' || column_type, ', ') "
                          f"FROM (DESCRIBE {relation})").fetchone()[0]
    return f"{count} rows, {total}, {columns}"


class Versions:
    """What each relation a model may read is, now: an incremental model by its
    latest build, any other model by what it was last built from, a land table
    by its files' ingest records, anything else (reference data, logs) by its
    content. Worked out once per relation per build."""

    def __init__(self, con, state: State, models: dict[str, Model]):
        self.con, self.state, self.models = con, state, models
        rows = con.execute("""
            SELECT schema_name, table_name FROM duckdb_tables()
            WHERE database_name = current_database() AND schema_name IN ('main', 'marts')
            UNION ALL
            SELECT schema_name, view_name FROM duckdb_views()
            WHERE database_name = current_database() AND schema_name IN ('main', 'marts') AND NOT internal
        """).fetchall()
        self.base = {name: f"{schema}.{ident(name)}" for schema, name in rows}
        self.land = land_sources()
        self.known = set(self.base) | set(models)
        self._cache: dict[str, str] = {}

    def of(self, name: str) -> str:
        if name in self.models:
            row = self.state.rows.get(name)
            if row is None:
                return "not built"
            return row["version"]
        if name not in self._cache:
            self._cache[name] = self._base_version(name)
        return self._cache[name]

    def _base_version(self, name: str) -> str:
        if name in self.land:
            total = self.con.execute("SELECT sum(hash(i))::VARCHAR FROM ingest_files i WHERE source = ?",
                                     [self.land[name]]).fetchone()[0]
            return f"files {total}"
        return content_version(self.con, self.base[name])

    def inputs(self, model: Model, leave_out: set[str] = frozenset()) -> dict[str, str]:
        """The relations the model reads (its declared inputs left out) and their versions."""
        names = relations_read(model.sql, self.known) - leave_out - {model.name}
        return {name: self.of(name) for name in sorted(names)}


def _full_reason(con, model: Model, state: State, fingerprint: dict) -> str | None:
    row = state.rows.get(model.name)
    if row is None:
        return "first build"
    if row["definition"] != definition_hash(model.sql):
        return "its SQL changed"
    if _existing_kind(con, model.schema, model.name) != "TABLE":
        return "its table was missing"
    try:
        before = json.loads(row["built_from"] or "{}")
    except ValueError:  # it was last built as a model without a declaration
        return "it was not incremental before"
    if changed := sorted(k for k in set(before) | set(fingerprint) if before.get(k) != fingerprint.get(k)):
        return f"{', '.join(changed)} changed"
    return None


# ---------------------------------------------------------------- keyed (staging)
def _key_sql(decl: ByKey, alias: str = "") -> tuple[str, str]:
    keys = ", ".join(alias + ident(k) for k in decl.unique_key)
    return keys, f"hash({keys})"


def _key_match(decl: ByKey, a: str, b: str) -> str:
    return " AND ".join(f"{a}.{ident(k)} IS NOT DISTINCT FROM {b}.{ident(k)}" for k in decl.unique_key)


def _keys_table(model: Model) -> str:
    return f"{SCHEMA}.{ident(model.name + '_keys')}"


def _source_of(decl: ByKey, where: str) -> str:
    if not decl.rows_from.startswith("land_"):
        raise DeclarationError(f"{where}: rows_from must be a land table (land_<source>)")
    return decl.rows_from.removeprefix("land_")


def _refresh_keyed(con, model: Model, decl: ByKey, state: State, versions: Versions) -> str:
    where = f"{model.layer}/{model.name}.sql"
    source = _source_of(decl, where)
    fingerprint = versions.inputs(model, {decl.rows_from})
    reason = _full_reason(con, model, state, fingerprint)
    if reason is None and _existing_kind(con, SCHEMA, model.name + "_keys") != "TABLE":
        reason = "its key index was missing"
    if reason:
        return _rebuild_keyed(con, model, decl, state, source, fingerprint, reason)

    # Files whose ingest record changed since this model last saw them, with
    # their rows now: only those whose rows differ count as changed.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _inc_candidates AS
        WITH now AS (SELECT file_name, sum(hash(i)) AS ingest_hash FROM ingest_files i WHERE source = ?
                     GROUP BY file_name),
             was AS (SELECT file_name, ingest_hash, row_count, rows_hash FROM {SCHEMA}.files WHERE model = ?)
        SELECT coalesce(n.file_name, w.file_name) AS file_name, n.ingest_hash, n.file_name IS NOT NULL AS present,
               coalesce(w.row_count, 0) AS old_count, coalesce(w.rows_hash, 0) AS old_hash
        FROM now n FULL JOIN was w ON w.file_name = n.file_name
        WHERE n.ingest_hash IS DISTINCT FROM w.ingest_hash""", [source, model.name])
    candidates = [r[0] for r in con.execute("SELECT file_name FROM _inc_candidates WHERE present").fetchall()]
    land_rows = "SELECT NULL::VARCHAR AS _file, 0::BIGINT AS row_count, 0::HUGEINT AS rows_hash LIMIT 0"
    if candidates:
        land_rows = (f"SELECT _file, count(*) AS row_count, sum(hash(l)) AS rows_hash FROM {decl.rows_from} l "
                     f"WHERE _file IN ({_strings(candidates)}) GROUP BY _file")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _inc_files AS
        SELECT c.file_name, c.ingest_hash, c.present, c.old_count,
               coalesce(l.row_count, 0) AS row_count, coalesce(l.rows_hash, 0) AS rows_hash,
               (c.old_count, c.old_hash) IS DISTINCT FROM (coalesce(l.row_count, 0), coalesce(l.rows_hash, 0))
                   AS changed
        FROM _inc_candidates c LEFT JOIN ({land_rows}) l ON l._file = c.file_name""")
    n_candidates, changed, rows_touched = con.execute(
        "SELECT count(*), list(file_name) FILTER (WHERE changed), "
        "coalesce(sum(old_count + row_count) FILTER (WHERE changed), 0) FROM _inc_files").fetchone()
    changed = changed or []
    if not changed:
        with _transaction(con):
            _record_files(con, model)
        return (f"carried over ({n_candidates} file(s) read again, rows unchanged)" if n_candidates
                else "carried over (no file changed)")
    total = con.execute(f"SELECT count(*) FROM {model.relation}").fetchone()[0]
    if rows_touched > MERGE_ALWAYS_ROWS and rows_touched > MERGE_LIMIT * total:
        return _rebuild_keyed(con, model, decl, state, source, fingerprint,
                              f"{len(changed)} file(s) changed, {rows_touched:,} of {total:,} rows")
    with _transaction(con):
        keys, months = _merge(con, model, decl, changed)
        _record_files(con, model)
        build_id = state.next_build_id()
        state.log_changes(model.name, build_id, months)
        state.save(model.name, definition_hash(model.sql), json.dumps(fingerprint), build_id, {})
    return f"merged {len(changed)} changed file(s): {keys:,} key(s) in {describe_months(months)}"


def _merge(con, model: Model, decl: ByKey, changed: list[str]) -> tuple[int, set]:
    """Replace the rows of every key the changed files deliver now or delivered
    before with the model's own answer over those keys' land rows."""
    keys, key_hash = _key_sql(decl)
    files = _strings(changed)
    target, index = model.relation, _keys_table(model)
    period_type = _column_type(con, model.schema, model.name, decl.period)
    # rows the changed files deliver now, and the keys whose row came from them
    con.execute(f"CREATE OR REPLACE TEMP TABLE _inc_delivered AS "
                f"SELECT * FROM {decl.rows_from} WHERE _file IN ({files})")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _inc_keys AS
        SELECT DISTINCT {keys}, {key_hash} AS _h FROM (
            SELECT {keys} FROM _inc_delivered
            UNION ALL SELECT {keys} FROM {target} WHERE _file IN ({files}))""")
    n_keys = con.execute("SELECT count(*) FROM _inc_keys").fetchone()[0]
    # where those keys' rows are now (the index maps a key's hash to months)
    old_months = {r[0] for r in con.execute(
        f"SELECT DISTINCT i.month FROM {index} i JOIN (SELECT DISTINCT _h FROM _inc_keys) k ON i.h = k._h"
    ).fetchall()}
    con.execute(f"CREATE OR REPLACE TEMP TABLE _inc_old AS SELECT * FROM {target} LIMIT 0")
    for f in _month_filters(decl.period, period_type, old_months, alias="s."):
        con.execute(f"INSERT INTO _inc_old SELECT s.* FROM {target} s JOIN _inc_keys k ON {_key_match(decl, 's', 'k')} "
                    f"WHERE {f}")
    # The land rows that can win: what the changed files deliver; the current
    # row of each key from an unchanged file; and, for a key whose current row
    # came from a changed file, every row of it from the unchanged files.
    con.execute("CREATE OR REPLACE TEMP TABLE _inc_pool AS SELECT * FROM _inc_delivered")
    kept_files = [r[0] for r in con.execute(
        f"SELECT DISTINCT _file FROM _inc_old WHERE _file NOT IN ({files})").fetchall()]
    if kept_files:
        con.execute(f"""
            INSERT INTO _inc_pool
            SELECT l.* FROM {decl.rows_from} l
            JOIN (SELECT _file, _row FROM _inc_old WHERE _file NOT IN ({files})) o
              ON l._file = o._file AND l._row = o._row
            WHERE l._file IN ({_strings(kept_files)})""")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _inc_orphans AS "
                f"SELECT DISTINCT {keys} FROM _inc_old WHERE _file IN ({files})")
    if con.execute("SELECT count(*) FROM _inc_orphans").fetchone()[0]:
        con.execute(f"""
            INSERT INTO _inc_pool
            SELECT l.* FROM {decl.rows_from} l JOIN _inc_orphans o ON {_key_match(decl, 'l', 'o')}
            WHERE l._file NOT IN ({files})""")
    # the model's SQL over just those rows
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(decl.rows_from)} AS SELECT * FROM _inc_pool")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _inc_new AS SELECT * FROM (\n{_body(model.sql)}\n) AS _m")
    finally:
        con.execute(f"DROP VIEW IF EXISTS temp.main.{ident(decl.rows_from)}")
    new_months = {r[0] for r in con.execute(f"SELECT DISTINCT {_month_of(decl.period)} FROM _inc_new").fetchall()}
    for f in _month_filters(decl.period, period_type, old_months, alias="s."):
        con.execute(f"DELETE FROM {target} AS s USING _inc_keys k WHERE {_key_match(decl, 's', 'k')} AND {f}")
    con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM _inc_new")
    # the index again for those hashes (a hash shared by another key keeps its months)
    months = old_months | new_months
    _, s_hash = _key_sql(decl, "s.")
    con.execute(f"DELETE FROM {index} USING (SELECT DISTINCT _h FROM _inc_keys) k WHERE {index}.h = k._h")
    for f in _month_filters(decl.period, period_type, months, alias="s."):
        con.execute(f"""
            INSERT INTO {index}
            SELECT DISTINCT {s_hash} AS h,
                   date_trunc('month', s.{ident(decl.period)})::DATE AS month
            FROM {target} s JOIN (SELECT DISTINCT _h FROM _inc_keys) k
              ON {s_hash} = k._h
            WHERE {f}""")
    return n_keys, months


def _record_files(con, model: Model) -> None:
    """Remember the candidates as they are now (after a merge or a check)."""
    con.execute(f"DELETE FROM {SCHEMA}.files WHERE model = ? AND file_name IN (SELECT file_name FROM _inc_files)",
                [model.name])
    con.execute(f"INSERT INTO {SCHEMA}.files SELECT ?, file_name, ingest_hash, row_count, rows_hash "
                "FROM _inc_files WHERE present", [model.name])


def _rebuild_keyed(con, model: Model, decl: ByKey, state: State, source: str, fingerprint: dict,
                   reason: str) -> str:
    keys, key_hash = _key_sql(decl)
    with _transaction(con):
        # Not sorted by period: a keyed model keeps its land table's order (file
        # order, so a month's rows lie together), and sorting 15 million wide rows
        # cost 14 s at borough scale for no better skipping.
        _create(con, model)
        columns = {r[0] for r in con.execute(f"DESCRIBE {model.relation}").fetchall()}
        missing = [c for c in ("_file", "_row", decl.period, *decl.unique_key) if c not in columns]
        if missing:
            raise DeclarationError(f"{model.layer}/{model.name}.sql: a keyed model must keep the columns "
                                   f"{', '.join(missing)}")
        con.execute(f"CREATE OR REPLACE TABLE {_keys_table(model)} AS "
                    f"SELECT DISTINCT {key_hash} AS h, {_month_of(decl.period)} AS month FROM {model.relation}")
        con.execute(f"DELETE FROM {SCHEMA}.files WHERE model = ?", [model.name])
        con.execute(f"""
            INSERT INTO {SCHEMA}.files
            SELECT ?, coalesce(n.file_name, l._file), n.ingest_hash, coalesce(l.row_count, 0),
                   coalesce(l.rows_hash, 0)
            FROM (SELECT file_name, sum(hash(i)) AS ingest_hash FROM ingest_files i WHERE source = ?
                  GROUP BY file_name) n
            FULL JOIN (SELECT _file, count(*) AS row_count, sum(hash(l)) AS rows_hash
                       FROM {decl.rows_from} l GROUP BY _file) l ON l._file = n.file_name""",
                    [model.name, source])
        build_id = state.next_build_id()
        state.log_changes(model.name, build_id, None)
        state.save(model.name, definition_hash(model.sql), json.dumps(fingerprint), build_id, {})
    return f"rebuilt in full ({reason})"


# ---------------------------------------------------------------- partitioned
def _period_column(model_decl) -> str:
    return model_decl.period if isinstance(model_decl, ByKey) else model_decl.partition


def _refresh_partitioned(con, model: Model, decl: ByPeriod, state: State, versions: Versions) -> str:
    fingerprint = versions.inputs(model, set(decl.inputs))
    reason = _full_reason(con, model, state, fingerprint)
    seen = (state.rows.get(model.name) or {}).get("seen", {})
    affected: set[dt.date] = set()
    if reason is None:
        for name, lookback in decl.inputs.items():
            full_since, months = state.changes_since(name, seen.get(name))
            if full_since:
                reason = f"{name} was rebuilt in full"
                break
            if None in months:
                reason = f"{name} changed rows that have no month"
                break
            affected |= affected_months(months, lookback)
    caught_up = {name: state.build_id(name) for name in decl.inputs}
    if reason:
        with _transaction(con):
            _create(con, model, order_by=decl.partition)
            build_id = state.next_build_id()
            state.log_changes(model.name, build_id, None)
            state.save(model.name, definition_hash(model.sql), json.dumps(fingerprint), build_id, caught_up)
        return f"rebuilt in full ({reason})"
    if not affected:
        state.save(model.name, definition_hash(model.sql), json.dumps(fingerprint),
                   state.build_id(model.name), caught_up)
        return "carried over (no input changed)"
    inputs = {name: versions.models[name] for name in decl.inputs}
    partition_type = _column_type(con, model.schema, model.name, decl.partition)
    with _transaction(con):
        for first, last in month_runs(affected):
            for name, lookback in decl.inputs.items():
                column = _period_column(inputs[name].incremental)
                column_type = _column_type(con, inputs[name].schema, name, column)
                con.execute(f"""
                    CREATE OR REPLACE TEMP VIEW {ident(name)} AS
                    SELECT * FROM {ident(state.db)}.{inputs[name].schema}.{ident(name)}
                    WHERE {_in_months(column, column_type, first, last, lookback.reads_from(first))}""")
            try:
                in_range = _in_months(decl.partition, partition_type, first, last)
                con.execute(f"DELETE FROM {model.relation} WHERE {in_range}")
                con.execute(f"INSERT INTO {model.relation} BY NAME "
                            f"SELECT * FROM (\n{_body(model.sql)}\n) AS _m WHERE {in_range}")
            finally:
                for name in decl.inputs:
                    con.execute(f"DROP VIEW IF EXISTS temp.main.{ident(name)}")
        build_id = state.next_build_id()
        state.log_changes(model.name, build_id, affected)
        state.save(model.name, definition_hash(model.sql), json.dumps(fingerprint), build_id, caught_up)
    return f"rebuilt {describe_months(affected)}"
