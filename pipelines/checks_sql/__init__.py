"""Great Expectations suites evaluated as SQL inside DuckDB, with GX's answers.

    results = run_checks_sql(con, checks, "chunk_rows", parameters, docs=docs)

`run_checks_sql` is `validation.run_checks` for a DuckDB relation instead of a
DataFrame: the same checks (suite files as analysts write them, loaded and
vetted by `validation.load_suite`), the same `$PARAMETER` values, the same
CheckResult list in the checks' order (failing_rids are the relation's row
ids), and with `docs` the same trimmed GX ExpectationSuiteValidationResult for
Data Docs. Every compiled check of a call is answered by one query over the
relation (row-level flags, counts and failing row ids together); the value
lists for Data Docs are read only for the checks that failed.

Why not GX's own SQL engine: GX 1.24's SqlAlchemy datasource over
duckdb_engine 0.17 and DuckDB 2.0 fails every expectation
(`resolve_metric_bundle` IndexError, fivetran/great_expectations#11579), it
refuses the suites' pandas-syntax row_conditions, and it issues a query per
metric rather than one pass.

Not compiled, and so run by GX on pandas over the relation's columns
(`validation.run_checks`): every other expectation type, and compiled types
with arguments or column types whose pandas semantics are not reproduced
(compile.py says which). A check that cannot run (no such column, a bad regex
or row_condition, a missing parameter) is an error result, never a success,
as in GX. A query that fails for a reason of its own is run again check by
check, and a check that still fails goes to GX, so one odd check never costs
the others their answers.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from pipelines.checks_sql import compile as compiler
from pipelines.checks_sql import results as gx_results
from pipelines.checks_sql.columns import Column, quote_ident, relation_columns
from pipelines.checks_sql.conditions import CannotRun, Unsupported
from pipelines.validation import Check, CheckResult, _trim_for_docs, run_checks

log = logging.getLogger(__name__)

__all__ = ["run_checks_sql", "SqlCheckStats", "COMPILED_TYPES", "failing_file_rows"]
COMPILED_TYPES = compiler.COMPILED_TYPES


@dataclass
class SqlCheckStats:
    """What happened to each check: compiled to SQL, handed to GX (and why), or could not run."""
    compiled: list[str] = field(default_factory=list)
    handed_to_gx: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds_sql: float = 0.0
    seconds_gx: float = 0.0


@dataclass
class _Outcome:
    success: bool
    element_count: int = 0
    unexpected_count: int = 0
    rids: np.ndarray | None = None
    error: str | None = None
    domain_count: int | None = None  # GX's nonnull / filtered row count


def run_checks_sql(con: duckdb.DuckDBPyConnection, checks: list[Check], table: str, parameters: dict,
                   row_id: str = "_rid", sensitive_columns: tuple[str, ...] = (), suite_name: str = "run",
                   docs: list | None = None, stats: SqlCheckStats | None = None) -> list[CheckResult]:
    """Validate the rows of `table` (a table or view name, or a parenthesised query)
    against some checks of a suite. `row_id` names a column unique per row: failing
    rows are reported by it, and row order (for Data Docs' value lists) follows it."""
    if not checks:
        return []
    stats = stats if stats is not None else SqlCheckStats()
    started = time.perf_counter()
    columns = relation_columns(con, table)
    if row_id not in columns:
        raise ValueError(f"{table}: no row id column {row_id!r}")
    outcomes: dict[int, _Outcome] = {}
    plans: dict[int, compiler.Plan] = {}
    kwargs_of: dict[int, dict] = {}
    to_gx: list[int] = []
    for i, check in enumerate(checks):
        try:
            plans[i] = compiler.compile_check(con, i, check, columns, parameters)
        except CannotRun as e:
            outcomes[i] = _Outcome(False, error=str(e)[:300])
            stats.errors[check.name] = str(e)[:300]
        except Unsupported as e:
            to_gx.append(i)
            stats.handed_to_gx[check.name] = str(e)
        except Exception as e:  # a gap in the compiler must not decide a check: GX decides it
            log.warning("check %s not compiled (%s: %s); Great Expectations runs it", check.name,
                        type(e).__name__, e)
            to_gx.append(i)
            stats.handed_to_gx[check.name] = f"{type(e).__name__}: {e}"
    _decide_regex_engines(con, table, plans, outcomes, stats)
    for i in plans:
        kwargs_of[i] = plans[i].kwargs
    counted = _count(con, table, row_id, plans)
    for i, plan in plans.items():
        if i in counted:
            outcomes[i] = counted[i]
            stats.compiled.append(plan.check.name)
        else:
            to_gx.append(i)
            stats.handed_to_gx[plan.check.name] = "the SQL query failed"
    stats.seconds_sql += time.perf_counter() - started

    docs_results: dict[int, object] = {}
    if docs is not None:
        for i, plan in plans.items():
            if i in counted:
                docs_results[i] = _docs_result(con, table, row_id, i, plan, outcomes[i])
        for i, outcome in outcomes.items():
            if outcome.error and i not in docs_results:
                docs_results[i] = gx_results.expectation_result(
                    checks[i], i, kwargs_of.get(i, checks[i].config.get("kwargs", {})), table, False, None,
                    outcome.error)
    if to_gx:
        started_gx = time.perf_counter()
        order = sorted(to_gx)
        frame = _frame_for_gx(con, table, row_id, [checks[i] for i in order], columns)
        for i, result, res in _run_gx(order, checks, frame, parameters, suite_name, docs is not None):
            outcomes[i] = _Outcome(result.success, result.element_count, result.unexpected_count,
                                   result.failing_rids, result.error)
            if res is not None:
                res.expectation_config.meta["check_index"] = i  # the index in this call
                docs_results[i] = res
            elif docs is not None:
                docs_results[i] = gx_results.expectation_result(
                    checks[i], i, checks[i].config.get("kwargs", {}), table, False, None, result.error)
        stats.seconds_gx += time.perf_counter() - started_gx

    if docs is not None:
        suite = gx_results.suite_result([docs_results[i] for i in range(len(checks))], suite_name,
                                        parameters, table)
        docs.append(_trim_for_docs(suite, checks, sensitive_columns))
    return [CheckResult(check, success=o.success, element_count=o.element_count,
                        unexpected_count=o.unexpected_count, failing_rids=o.rids, error=o.error)
            for check, o in ((checks[i], outcomes[i]) for i in range(len(checks)))]


# ------------------------------------------------------------------ regex engines
def _decide_regex_engines(con, table: str, plans: dict, outcomes: dict, stats: SqlCheckStats) -> None:
    """pandas picks RE2 or Python's re from the values a check looks at: measure them."""
    waiting = {i: p for i, p in plans.items() if p.regex is not None}
    if not waiting:
        return
    selects, binds = [], {}
    for p in waiting.values():
        v = p.regex.column.value
        ascii_sql = f"bool_or(strlen({v}) <> length({v}))" if p.regex.ascii_fact else "bool_or(false)"
        newline_sql = f"bool_or(contains({v}, chr(10)))" if p.regex.newline_fact else "bool_or(false)"
        selects += [f"coalesce({ascii_sql} FILTER (WHERE {p.domain}), false)",
                    f"coalesce({newline_sql} FILTER (WHERE {p.domain}), false)",
                    f"count(*) FILTER (WHERE {p.domain}) > 0"]
        binds.update(p.params)
    facts = con.execute(f"SELECT {', '.join(selects)} FROM {table}", binds).fetchall()[0]
    for n, (i, p) in enumerate(waiting.items()):
        try:
            p.unexpected = p.regex.finish(*(bool(x) for x in facts[3 * n: 3 * n + 3]))
            p.regex = None
        except CannotRun as e:
            del plans[i]
            outcomes[i] = _Outcome(False, error=str(e)[:300])
            stats.errors[p.check.name] = str(e)[:300]


# ------------------------------------------------------------------ the one pass
def _base(table: str, row_id: str, plans: dict[int, compiler.Plan]) -> str:
    windows = "".join(f", {p.window} AS _w{i}" for i, p in plans.items() if p.window)
    return f"SELECT *, {quote_ident(row_id)} AS __cx_rid{windows} FROM {table}"


def _count_query(table: str, row_id: str, plans: dict[int, compiler.Plan]) -> tuple[str, dict]:
    """Each check's three predicates evaluated once per row, then counted (and the
    failing row ids listed) by one aggregate over those flags."""
    flags, aggregates, binds = [], [], {}
    for i, p in plans.items():
        flags.append(f"{p.condition} AS __c{i}, {p.domain} AS __d{i}, ({p.domain} AND {p.unexpected}) AS __u{i}")
        aggregates += [f"count(*) FILTER (WHERE __c{i})", f"count(*) FILTER (WHERE __d{i})",
                       f"count(*) FILTER (WHERE __u{i})", f"list(__cx_rid) FILTER (WHERE __u{i})"]
        binds.update(p.params)
    return (f"WITH base AS ({_base(table, row_id, plans)}), "
            f"flags AS (SELECT __cx_rid, {', '.join(flags)} FROM base) "
            f"SELECT {', '.join(aggregates)} FROM flags"), binds


def _count(con, table: str, row_id: str, plans: dict[int, compiler.Plan]) -> dict[int, _Outcome]:
    """All checks in one query; if it fails, each alone (a check still failing is left out)."""
    if not plans:
        return {}
    try:
        return _count_all(con, table, row_id, plans)
    except (duckdb.Error, ValueError, TypeError) as e:
        if len(plans) == 1:
            log.warning("SQL for check %s failed: %s", next(iter(plans.values())).check.name, e)
            return {}
    out = {}
    for i, p in plans.items():
        out.update(_count(con, table, row_id, {i: p}))
    return out


def _count_all(con, table: str, row_id: str, plans: dict[int, compiler.Plan]) -> dict[int, _Outcome]:
    from great_expectations.expectations.expectation import _mostly_success

    sql, binds = _count_query(table, row_id, plans)
    row = con.execute(sql, binds).fetchall()[0]
    out = {}
    for n, (i, p) in enumerate(plans.items()):
        element, domain, unexpected, rids = row[4 * n: 4 * n + 4]
        considered = element if p.shape == "null_test" else domain
        success = True if considered == 0 else _mostly_success(considered, unexpected, p.mostly)
        out[i] = _Outcome(bool(success), int(element), int(unexpected),
                          np.sort(np.array(rids or [], dtype=np.int64)), domain_count=int(domain))
    return out


# ------------------------------------------------------------------ Data Docs
def _value_sql(plan: compiler.Plan) -> list[str]:
    return [c.value for c in plan.columns]


def _docs_result(con, table: str, row_id: str, i: int, plan: compiler.Plan, outcome: _Outcome):
    partial, counts = None, None
    if outcome.unexpected_count:
        try:
            partial, counts = _failing_values(con, table, row_id, i, plan)
        except duckdb.Error as e:  # the value lists are for reading; the counts stand
            log.warning("values of failing rows of %s not read: %s", plan.check.name, e)
    else:
        partial, counts = [], []
    result = gx_results.map_result(plan.shape, outcome.success, outcome.element_count,
                                   outcome.domain_count, outcome.unexpected_count,
                                   [int(r) for r in outcome.rids], partial, counts)
    return gx_results.expectation_result(plan.check, i, plan.kwargs, table, outcome.success, result, None)


def _shape_value(plan: compiler.Plan, values: tuple):
    values = tuple(gx_results.python_value(v, c.kind, plan.shape == "pair")
                   for v, c in zip(values, plan.columns, strict=True))
    if plan.shape == "pair":
        return values
    if plan.shape == "multicolumn":
        return {c.name: v for c, v in zip(plan.columns, values, strict=True)}
    return values[0]


def _failing_values(con, table: str, row_id: str, i: int, plan: compiler.Plan):
    """GX's value lists: the first 20 failing values, and counts over the first
    MAX_RESULT_RECORDS (200) of them, in row order."""
    from great_expectations.constants import MAX_RESULT_RECORDS

    names = [f"_v{k}" for k in range(len(plan.columns))]
    values = ", ".join(f"{sql} AS {n}" for sql, n in zip(_value_sql(plan), names, strict=True))
    rows = con.execute(f"WITH base AS ({_base(table, row_id, {i: plan})}) SELECT {values} FROM base "
                       f"WHERE {plan.domain} AND {plan.unexpected} ORDER BY __cx_rid LIMIT {MAX_RESULT_RECORDS}",
                       plan.params).fetchall()
    shaped = [_shape_value(plan, r) for r in rows]
    counts = [(value, 1, position) for position, value in enumerate(shaped)]
    return shaped[:gx_results.PARTIAL], counts


# ------------------------------------------------------------------ GX on pandas
def _run_gx(order: list[int], checks: list[Check], frame, parameters: dict, suite_name: str, want_docs: bool):
    """(index, CheckResult, GX result or None) for the checks GX answers. GX raises
    for a whole suite when one expectation cannot even be built (a parameter
    value it rejects): then it is asked check by check, and such a check is an
    error result."""
    chosen = [checks[i] for i in order]
    docs: list = []
    try:
        results = run_checks(chosen, frame, parameters, suite_name=suite_name, docs=docs if want_docs else None)
    except Exception as e:
        if len(order) == 1:
            return [(order[0], CheckResult(chosen[0], success=False, error=f"{type(e).__name__}: {e}"[:300]), None)]
        return [one for i in order for one in _run_gx([i], checks, frame, parameters, suite_name, want_docs)]
    by_position = {int(r.expectation_config.meta["check_index"]): r for r in docs[0].results} if docs else {}
    return [(i, result, by_position.get(position)) for position, (i, result) in enumerate(zip(order, results,
                                                                                             strict=True))]


def _needed_columns(checks: list[Check], columns: dict[str, Column]) -> list[str] | None:
    """The columns GX needs; None: all of them (a row_condition may name any)."""
    needed: set[str] = set()
    for c in checks:
        kw = c.config.get("kwargs", {})
        if kw.get("row_condition") or not any(k in kw for k in ("column", "column_A", "column_list")):
            return None
        for key in ("column", "column_A", "column_B"):
            if isinstance(kw.get(key), str):
                needed.add(kw[key])
        if isinstance(kw.get("column_list"), list):
            needed.update(x for x in kw["column_list"] if isinstance(x, str))
    return [name for name in columns if name in needed]


def _frame_for_gx(con, table: str, row_id: str, checks: list[Check], columns: dict[str, Column]):
    needed = _needed_columns(checks, columns)
    if needed is None:
        select = "*"
    else:
        select = ", ".join(quote_ident(n) for n in dict.fromkeys([row_id, *needed]))
    frame = con.execute(f"SELECT {select} FROM {table} ORDER BY {quote_ident(row_id)}").df()
    frame.index = frame[row_id].to_numpy()
    return frame


def failing_file_rows(con, table: str, rids: np.ndarray, row_id: str = "_rid"):
    """(file, row number) of failing row ids, for a relation with _file and _row."""
    ids = np.asarray(rids, dtype=np.int64)
    con.register("__cx_failing_ids", pd.DataFrame({"rid": ids}))
    try:
        return con.execute(f"SELECT t._file, t._row FROM {table} t JOIN __cx_failing_ids f "
                           f"ON t.{quote_ident(row_id)} = f.rid ORDER BY t._file, t._row").df()
    finally:
        con.unregister("__cx_failing_ids")
