"""A check's row_condition, as Great Expectations on pandas applies it, in SQL.

GX 1.x hands every row condition on pandas to `DataFrame.query`: a string
with condition_parser "pandas" as it is, and a Condition object (what a
"great_expectations" string like `col("x") > 5` or a serialised condition
becomes) after rendering it as a query string. So one translator serves both:
the pandas query syntax (Python expressions, `&`/`|` as `and`/`or`,
backtick-quoted names) to a SQL boolean, with pandas' answers for missing
values (see columns.py): `x != "a"` holds for a missing x in a text, number or
date column but is unknown, and so excluded, in a nullable integer or boolean
column; `in`/`not in` never propagate; `.isnull()`/`.notnull()` (and `isna`,
`notna`) test for missing values.

What it does not know (arithmetic, string methods, `@` variables, comparing
values of different kinds, a date compared with text pandas cannot read) it
declines with Unsupported, and the check runs through GX instead. A condition
pandas itself would reject (unknown column, bad syntax) is CannotRun.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import tokenize
from functools import cache

import pandas as pd

from pipelines.checks_sql.columns import Column


class Unsupported(Exception):
    """Not compiled to SQL: the check goes to Great Expectations."""


class CannotRun(Exception):
    """GX would report the check as failed to run; the message says why."""


class Params:
    """Values bound to the query as $parameters (text may hold anything, even NUL)."""

    def __init__(self, prefix: str = "p") -> None:
        self.prefix = prefix  # unique per check: one query binds the parameters of many
        self.values: dict[str, object] = {}

    def add(self, value) -> str:
        name = f"{self.prefix}{len(self.values)}"
        self.values[name] = value
        return f"${name}"


@cache
def _pandas_engine():
    from great_expectations.execution_engine import PandasExecutionEngine

    return PandasExecutionEngine()


def condition_query_string(row_condition) -> str | None:
    """The pandas query GX would run for a row_condition (str or Condition)."""
    from great_expectations.expectations.row_conditions import (
        Condition,
        PassThroughCondition,
        deserialize_row_condition,
    )

    if row_condition is None or row_condition == "":
        return None
    if isinstance(row_condition, dict):
        row_condition = deserialize_row_condition(row_condition)
    if isinstance(row_condition, PassThroughCondition):
        return row_condition.pass_through_filter
    if isinstance(row_condition, Condition):
        return _pandas_engine().condition_to_filter_clause(row_condition)
    if isinstance(row_condition, str):
        return row_condition
    raise Unsupported(f"row_condition of type {type(row_condition).__name__}")


_BACKTICK = re.compile(r"`([^`]*)`")


def _preparse(query: str) -> tuple[str, dict[str, str]]:
    """pandas' own rewriting for parser="pandas": `&`/`|` become and/or (with their
    precedence), backtick-quoted names become identifiers."""
    names: dict[str, str] = {}

    def name_for(m: re.Match) -> str:
        key = f"__cx_col_{len(names)}"
        names[key] = m.group(1)
        return key

    query = _BACKTICK.sub(name_for, query)
    if "@" in query:
        raise Unsupported("local variables (@name) in a row_condition")
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(query).readline):
            if tok.type == tokenize.OP and tok.string == "&":
                out.append((tokenize.NAME, "and"))
            elif tok.type == tokenize.OP and tok.string == "|":
                out.append((tokenize.NAME, "or"))
            else:
                out.append((tok.type, tok.string))
    except (tokenize.TokenError, SyntaxError, IndentationError) as e:
        raise CannotRun(f"row_condition {query!r} cannot be parsed: {e}") from None
    return tokenize.untokenize(out), names


NULL_METHODS = {"isnull": True, "isna": True, "notnull": False, "notna": False}
OPS = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


class _Translator:
    def __init__(self, columns: dict[str, Column], names: dict[str, str], params: Params):
        self.columns, self.names, self.params = columns, names, params

    def column(self, node) -> Column | None:
        if isinstance(node, ast.Name):
            name = self.names.get(node.id, node.id)
            if name in self.columns:
                col = self.columns[name]
                if not col.compiled:
                    raise Unsupported(f"column {name!r} of type {col.sql_type} in a row_condition")
                return col
            if node.id in ("True", "False", "None"):
                return None
            raise CannotRun(f"row_condition: name {name!r} is not defined (no such column)")
        return None

    def boolean(self, node) -> str:
        """SQL for a node that pandas evaluates to a boolean mask (NULL = <NA>)."""
        if isinstance(node, ast.BoolOp):
            joiner = " AND " if isinstance(node.op, ast.And) else " OR "
            return "(" + joiner.join(self.boolean(v) for v in node.values) + ")"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            return f"(NOT {self.boolean(node.operand)})"
        if isinstance(node, ast.Compare):
            parts, left = [], node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                parts.append(self.compare(left, op, right))
                left = right
            return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args \
                and not node.keywords and node.func.attr in NULL_METHODS:
            col = self.column(node.func.value)
            if col is None:
                raise Unsupported("a null test on something other than a column")
            return col.missing if NULL_METHODS[node.func.attr] else f"(NOT {col.missing})"
        raise Unsupported(f"row_condition element {ast.dump(node)[:80]}")

    def compare(self, left, op, right) -> str:
        lcol, rcol = self.column(left), self.column(right)
        if isinstance(op, (ast.In, ast.NotIn)):
            if lcol is None or rcol is not None:
                raise Unsupported("'in' with something other than a column and a list")
            values = self.constant_list(right)
            literals = [self.literal(lcol, v) for v in values]
            member = f"coalesce({lcol.value} IN ({', '.join(literals)}), false)" if literals else "false"
            return member if isinstance(op, ast.In) else f"(NOT {member})"
        if type(op) not in OPS:
            raise Unsupported(f"comparison {type(op).__name__}")
        sql_op = OPS[type(op)]
        if lcol is None and rcol is None:
            raise Unsupported("a comparison without a column")
        if lcol is None:  # constant op column: flip it round
            lcol, rcol, left, right = rcol, None, right, left
            sql_op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(sql_op, sql_op)
        if rcol is None:
            other_sql, other_three_valued = self.literal(lcol, self.constant(right)), False
        else:
            if _family(lcol) != _family(rcol):
                raise Unsupported(f"comparing {lcol.name!r} ({lcol.sql_type}) with {rcol.name!r} ({rcol.sql_type})")
            other_sql, other_three_valued = rcol.value, rcol.three_valued
        return compare_sql(lcol.value, lcol.three_valued, sql_op, other_sql, other_three_valued)

    @staticmethod
    def constant(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
                and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
            return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
        raise Unsupported(f"row_condition operand {ast.dump(node)[:80]}")

    def constant_list(self, node) -> list:
        if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            raise Unsupported("'in' needs a list of values")
        return [self.constant(e) for e in node.elts]

    def literal(self, col: Column, value) -> str:
        """A constant compared with a column, if pandas compares them as we would."""
        if col.kind == "str" and isinstance(value, str):
            return self.params.add(value)
        if col.kind in ("int", "float") and type(value) in (int, float):
            return number_literal(value)
        if col.kind == "bool" and type(value) is bool:
            return "true" if value else "false"
        if col.kind == "datetime" and isinstance(value, str):
            return timestamp_literal(value)
        raise Unsupported(f"comparing {col.name!r} ({col.sql_type}) with {value!r}")


def _family(col: Column) -> str:
    return "number" if col.kind in ("int", "float") else col.kind


def compare_sql(left: str, left_three_valued: bool, op: str, right: str, right_three_valued: bool) -> str:
    """pandas' elementwise comparison: <NA> where a nullable operand is missing,
    otherwise a missing value compares False (True for !=)."""
    plain = f"coalesce({left} {op} {right}, {'true' if op == '<>' else 'false'})"
    unknown = [f"{s} IS NULL" for s, tv in ((left, left_three_valued), (right, right_three_valued)) if tv]
    if not unknown:
        return plain
    return f"(CASE WHEN {' OR '.join(unknown)} THEN NULL ELSE {plain} END)"


def number_literal(value: int | float) -> str:
    if isinstance(value, bool):
        raise Unsupported("a boolean where a number is expected")
    if isinstance(value, int):
        return f"{value}::HUGEINT" if abs(value) >= 2**63 else str(value)
    return f"'{value!r}'::DOUBLE"


def timestamp_literal(value: str | dt.datetime) -> str:
    """As pandas reads it (Timestamp(text)); time zones and bad text are left to GX."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise Unsupported(f"{value!r} compared with a date") from None
    if ts is pd.NaT or ts.tzinfo is not None or ts.nanosecond:
        raise Unsupported(f"{value!r} compared with a date")
    return f"TIMESTAMP '{ts.isoformat(sep=' ')}'"


def condition_sql(row_condition, columns: dict[str, Column], params: Params) -> str | None:
    """A definite SQL boolean selecting the rows GX would keep, or None without a condition."""
    query = condition_query_string(row_condition)
    if query is None:
        return None
    source, names = _preparse(query)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        raise CannotRun(f"row_condition {query!r} is not valid: {e.msg}") from None
    return f"coalesce({_Translator(columns, names, params).boolean(tree.body)}, false)"
