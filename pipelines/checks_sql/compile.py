"""Each supported expectation type as SQL predicates with Great Expectations' meaning.

A check compiles to a Plan: `condition` (the rows its row_condition keeps:
GX's element_count), `domain` (of those, the rows the check looks at: without
missing values, or after ignore_row_if: GX's nonnull / filtered count) and
`unexpected` (of the domain, the rows that fail). All three are definite SQL
booleans. The expectation's arguments are taken from Great Expectations' own
model of it, after `$PARAMETER` substitution, so a bound like
"2026-12-02 10:00:00" is the datetime GX compares with, and "2026-12-02" the
date it refuses to compare with a timestamp.

A type, argument or column type this module does not compile raises
Unsupported (the check runs through GX on pandas); a check GX would report as
failed to run raises CannotRun.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from pipelines.checks_sql import regex
from pipelines.checks_sql.columns import Column
from pipelines.checks_sql.conditions import (
    CannotRun,
    Params,
    Unsupported,
    compare_sql,
    condition_sql,
    number_literal,
    timestamp_literal,
)
from pipelines.validation import Check

NULL_TESTS = {
    "expect_column_values_to_not_be_null": True,   # unexpected: the value is missing
    "expect_column_values_to_be_null": False,      # unexpected: the value is there
}
COLUMN_MAP = (
    "expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex",
    "expect_column_values_to_match_regex_list", "expect_column_values_to_not_match_regex_list",
    "expect_column_value_lengths_to_be_between", "expect_column_value_lengths_to_equal",
    "expect_column_values_to_be_unique",
)
COLUMN_PAIR = ("expect_column_pair_values_a_to_be_greater_than_b", "expect_column_pair_values_to_be_equal")
MULTICOLUMN = ("expect_compound_columns_to_be_unique", "expect_multicolumn_values_to_be_unique",
               "expect_select_column_values_to_be_unique_within_record")
COMPILED_TYPES = (*NULL_TESTS, *COLUMN_MAP, *COLUMN_PAIR, *MULTICOLUMN)


@dataclass
class RegexNeed:
    """A regex check waits for what pandas reads off the data before it picks an engine."""
    column: Column
    finish: Callable[[bool, bool, bool], str]  # (any non-ASCII, any newline, any value) -> unexpected SQL
    ascii_fact: bool
    newline_fact: bool


@dataclass
class Plan:
    check: Check
    kwargs: dict                      # after $PARAMETER substitution, as GX reports them
    shape: str                        # null_test | column | pair | multicolumn
    columns: list[Column]
    mostly: float
    condition: str
    domain: str
    unexpected: str | None = None
    window: str | None = None         # computed once per row as _w<i> before the checks
    regex: RegexNeed | None = None
    params: dict = field(default_factory=dict)


def substituted_kwargs(check: Check, parameters: dict) -> dict:
    from great_expectations.core.suite_parameters import build_suite_parameters

    try:
        kwargs, _ = build_suite_parameters(copy.deepcopy(check.config.get("kwargs", {})), parameters)
    except Exception as e:  # SuiteParameterError and parse errors
        raise CannotRun(f"{type(e).__name__}: {e}") from None
    return kwargs


def build_expectation(check: Check, kwargs: dict):
    """GX's own model of the expectation: its arguments as GX coerces them."""
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        impl = get_expectation_impl(check.config["type"])
    except Exception as e:
        raise CannotRun(f"{type(e).__name__}: {e}") from None
    try:
        return impl(**kwargs)
    except Exception as e:  # pydantic ValidationError and the like
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CannotRun(f"Great Expectations rejects the arguments: {first}") from None


def _column(columns: dict[str, Column], name) -> Column:
    if not isinstance(name, str) or name not in columns:
        raise CannotRun(f'The column "{name}" in BatchData does not exist.')
    col = columns[name]
    if not col.compiled:
        raise Unsupported(f"column {name!r} of type {col.sql_type}")
    return col


def compile_check(con, index: int, check: Check, columns: dict[str, Column], parameters: dict) -> Plan:
    etype = check.config["type"]
    if etype not in COMPILED_TYPES:
        raise Unsupported(f"expectation type {etype}")
    kwargs = substituted_kwargs(check, parameters)
    exp = build_expectation(check, kwargs)
    params = Params(f"c{index}_")
    condition = condition_sql(getattr(exp, "row_condition", None), columns, params) or "true"
    mostly = float(getattr(exp, "mostly", 1.0))
    if etype in NULL_TESTS:
        col = _column(columns, exp.column)
        missing = col.missing if NULL_TESTS[etype] else f"(NOT {col.missing})"
        plan = Plan(check, kwargs, "null_test", [col], mostly, condition, condition, unexpected=missing)
    elif etype in COLUMN_MAP:
        col = _column(columns, exp.column)
        domain = f"({condition} AND NOT {col.missing})"
        plan = Plan(check, kwargs, "column", [col], mostly, condition, domain)
        _compile_column_map(con, index, etype, exp, col, plan, params)
    elif etype in COLUMN_PAIR:
        a, b = _column(columns, exp.column_A), _column(columns, exp.column_B)
        plan = Plan(check, kwargs, "pair", [a, b], mostly, condition,
                    f"({condition} AND {_pair_kept(exp.ignore_row_if, a, b)})")
        plan.unexpected = _compile_pair(etype, exp, a, b)
    else:
        cols = [_column(columns, c) for c in exp.column_list]
        plan = Plan(check, kwargs, "multicolumn", cols, mostly, condition,
                    f"({condition} AND {_multicolumn_kept(exp.ignore_row_if, cols)})")
        _compile_multicolumn(index, etype, cols, plan)
    plan.params = params.values
    return plan


# ------------------------------------------------------------------ column map
def _compile_column_map(con, index: int, etype: str, exp, col: Column, plan: Plan, params: Params) -> None:
    v = col.value
    if etype in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        if exp.value_set is None:  # GX: vacuously true
            plan.unexpected = "false"
            return
        member = _membership(col, list(exp.value_set), params)
        plan.unexpected = f"(NOT {member})" if etype.endswith("to_be_in_set") else member
    elif etype == "expect_column_values_to_be_between":
        plan.unexpected = f"(NOT {_between(col, exp)})"
    elif etype == "expect_column_values_to_be_unique":
        plan.window = f"count(*) OVER (PARTITION BY {plan.domain}, {v})"
        plan.unexpected = f"(_w{index} > 1)"
    elif etype.startswith("expect_column_value_lengths_"):
        if col.kind != "str":
            raise Unsupported("value lengths of a column that is not text")
        plan.unexpected = f"(NOT {_length_ok(etype, exp)})".replace("{len}", f"length({v})")
    else:
        if col.kind != "str":
            raise Unsupported("a regular expression on a column that is not text")
        patterns = list(exp.regex_list) if etype.endswith("_list") else [exp.regex]
        if not patterns or not all(isinstance(p, str) for p in patterns):
            raise Unsupported("regex arguments that are not text")
        needs = [regex.pattern_needs(p) for p in patterns]
        match_on = getattr(exp, "match_on", "any")

        def finish(any_non_ascii: bool, any_newline: bool, any_value: bool) -> str:
            try:
                found = [regex.search_sql(con, v, p, regex.uses_python(p, any_non_ascii, any_newline))
                         for p in patterns]
            except regex.RegexError as e:
                if not any_value:  # GX never compiles a pattern it has no value to try on
                    return "false"
                raise CannotRun(str(e)) from None
            if etype == "expect_column_values_to_match_regex":
                return f"(NOT {found[0]})"
            if etype == "expect_column_values_to_not_match_regex":
                return found[0]
            if etype == "expect_column_values_to_not_match_regex_list":
                return "(" + " OR ".join(found) + ")"
            if match_on == "any":
                return "(NOT (" + " OR ".join(found) + "))"
            if match_on == "all":
                return "(NOT (" + " AND ".join(found) + "))"
            raise CannotRun("match_on must be either 'any' or 'all'")

        # decided once the data has been looked at
        plan.regex = RegexNeed(col, finish, any(n.ascii_fact for n in needs), any(n.newline_fact for n in needs))


def _membership(col: Column, values: list, params: Params) -> str:
    """`value IN value_set` as pandas' isin answers it for this column's dtype."""
    if col.kind == "str":
        # pyarrow-backed strings: isin keeps only the text members of the set
        literals = [params.add(x) for x in values if isinstance(x, str)]
    elif col.kind in ("int", "float"):
        members = [x for x in values if x is not None and not (isinstance(x, float) and x != x)]
        if not all(type(x) in (int, float) for x in members):
            raise Unsupported("a value set mixing numbers with other values")
        literals = [number_literal(x) for x in members]
    elif col.kind == "bool":
        members = [x for x in values if x is not None]
        if not all(type(x) is bool for x in members):
            raise Unsupported("a value set of a boolean column with other values")
        literals = ["true" if x else "false" for x in members]
    else:
        raise Unsupported(f"a value set on a {col.sql_type} column (pandas parses its members)")
    if not literals:
        return "false"
    return f"({col.value} IN ({', '.join(literals)}))"


def _between(col: Column, exp) -> str:
    lo, hi = exp.min_value, exp.max_value
    if lo is None and hi is None:
        raise CannotRun("min_value and max_value cannot both be None")
    if lo is not None and hi is not None:
        try:
            reversed_bounds = lo > hi
        except TypeError:
            raise Unsupported("bounds of different types") from None
        if reversed_bounds:
            raise CannotRun("min_value cannot be greater than max_value")
    strict_min, strict_max = bool(exp.strict_min), bool(exp.strict_max)
    if col.kind in ("int", "float"):
        if any(b is not None and type(b) not in (int, float) for b in (lo, hi)):
            raise Unsupported("a number compared with a bound that is not a number")
        literal = number_literal
    elif col.kind == "datetime":
        if any(b is not None and (type(b) is not dt.datetime or b.tzinfo is not None) for b in (lo, hi)):
            raise Unsupported("a date compared with a bound that is not a datetime without time zone")
        literal = timestamp_literal
    else:
        raise Unsupported(f"between on a {col.sql_type} column")
    return _within(col.value, lo, hi, strict_min, strict_max, literal)


def _within(expr: str, lo, hi, strict_min: bool, strict_max: bool, literal=str) -> str:
    """`expr` between the bounds given (None: no bound on that side), strict or not."""
    parts = []
    if lo is not None:
        parts.append(f"{expr} {'>' if strict_min else '>='} {literal(lo)}")
    if hi is not None:
        parts.append(f"{expr} {'<' if strict_max else '<='} {literal(hi)}")
    return "(" + " AND ".join(parts) + ")"


def _length_ok(etype: str, exp) -> str:
    if etype == "expect_column_value_lengths_to_equal":
        if type(exp.value) not in (int, float):
            raise Unsupported("a length that is not a number")
        return f"({{len}} = {number_literal(exp.value)})"
    lo, hi = exp.min_value, exp.max_value
    if lo is None and hi is None:
        raise CannotRun("Invalid configuration")
    if any(b is not None and type(b) is not int for b in (lo, hi)):
        raise Unsupported("length bounds that are not whole numbers")
    return _within("{len}", lo, hi, bool(exp.strict_min), bool(exp.strict_max))


# ------------------------------------------------------------------ pairs and multicolumn
def _pair_kept(ignore_row_if: str, a: Column, b: Column) -> str:
    if ignore_row_if == "both_values_are_missing":
        return f"NOT ({a.missing} AND {b.missing})"
    if ignore_row_if == "either_value_is_missing":
        return f"NOT ({a.missing} OR {b.missing})"
    if ignore_row_if == "neither":
        return "true"
    raise CannotRun(f'Unrecognized value of ignore_row_if ("{ignore_row_if}").')


def _family(col: Column) -> str:
    return "number" if col.kind in ("int", "float") else col.kind


def _compile_pair(etype: str, exp, a: Column, b: Column) -> str:
    if _family(a) != _family(b):
        raise Unsupported(f"comparing {a.sql_type} with {b.sql_type}")
    if (a.three_valued or b.three_valued) and exp.ignore_row_if != "either_value_is_missing":
        # a nullable integer or boolean with a missing value left in: GX fails
        # ("boolean value of NA is ambiguous") or not, depending on the rows
        raise Unsupported("a pair of nullable integer or boolean columns that may hold missing values")
    if etype == "expect_column_pair_values_to_be_equal":
        op = "="
    else:
        op = ">=" if exp.or_equal else ">"
    expected = compare_sql(a.value, a.three_valued, op, b.value, b.three_valued)
    # an unknown (<NA>) comparison is not counted as unexpected by GX
    return f"coalesce(NOT {expected}, false)"


def _multicolumn_kept(ignore_row_if: str, cols: list[Column]) -> str:
    if ignore_row_if == "all_values_are_missing":
        return "NOT (" + " AND ".join(c.missing for c in cols) + ")"
    if ignore_row_if == "any_value_is_missing":
        return "NOT (" + " OR ".join(c.missing for c in cols) + ")"
    if ignore_row_if == "never":
        return "true"
    raise CannotRun(f'Unrecognized value of ignore_row_if ("{ignore_row_if}").')


def _compile_multicolumn(index: int, etype: str, cols: list[Column], plan: Plan) -> None:
    if etype == "expect_select_column_values_to_be_unique_within_record":
        if len({_family(c) for c in cols}) != 1:
            raise Unsupported("values of different kinds compared within a record")
        values = ", ".join(c.value for c in cols)
        # nunique(dropna=False): a missing value counts once, like any other
        distinct = (f"(len(list_distinct([{values}])) + "
                    f"CASE WHEN {' OR '.join(c.missing for c in cols)} THEN 1 ELSE 0 END)")
        plan.unexpected = f"({distinct} < {len(cols)})"
        return
    keys = ", ".join(c.value for c in cols)
    plan.window = f"count(*) OVER (PARTITION BY {plan.domain}, {keys})"
    plan.unexpected = f"(_w{index} > 1)"
