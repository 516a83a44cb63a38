"""Regular expressions as Great Expectations on pandas applies them, in DuckDB.

GX's regex checks call `column.astype(str).str.contains(regex)`, and pandas 3.1
on its pyarrow-backed strings decides, per column, between two engines:
pyarrow's RE2, or Python's `re` where RE2 is missing a feature or would
answer differently. This module makes the same decision and runs the same
engine inside DuckDB:

- RE2 (DuckDB's `regexp_matches`, a search like `re.search`) when pandas would
  use pyarrow. `\\Z` is spelled `\\z`, as pandas rewrites it. A pattern RE2
  rejects (possessive `a*+`, `(?x)`, `(?>...)`, `(?(1)...)`, a repeat over
  1000) is an error, as it is in GX;
- Python's `re.search`, as a DuckDB Python function on the rows, when pandas
  would use `re`: lookarounds and backreferences, `\\u`/`\\U`/`\\N{}` escapes
  and `\\s`/`\\S` always (RE2's `\\s` misses `\\x0b`); `\\w`, `\\d`, `\\b` and
  their negations when a value checked is not ASCII (RE2's are ASCII-only);
  `$` when a value checked holds a newline (Python's `$` also matches before a
  final newline, RE2's only at the very end).

A pattern Python cannot parse but RE2 can (`\\p{L}`, `\\x{41}`) goes to RE2,
as in pandas. What pandas decides from the data (any non-ASCII value, any
newline) is measured over the same values it would see: the rows the check
looks at, after its row_condition and without missing values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import duckdb

try:
    from re import _parser  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse as _parser  # type: ignore[no-redef]

PYTHON_SEARCH_FUNCTION = "cx_python_re_search"

_ESCAPED_UNICODE = re.compile(r"(?<!\\)(?:\\\\)*\\(?:[uU]|N{)")
_END_ANCHOR = re.compile(r"(?<!\\)((?:\\\\)*)\\Z")

_UNSUPPORTED_OPS = {_parser.ASSERT, _parser.ASSERT_NOT, _parser.GROUPREF}
_WHITESPACE = {_parser.CATEGORY_SPACE, _parser.CATEGORY_NOT_SPACE}
_UNICODE_SENSITIVE = {
    (_parser.CATEGORY, _parser.CATEGORY_WORD), (_parser.CATEGORY, _parser.CATEGORY_NOT_WORD),
    (_parser.CATEGORY, _parser.CATEGORY_DIGIT), (_parser.CATEGORY, _parser.CATEGORY_NOT_DIGIT),
    (_parser.AT, _parser.AT_BOUNDARY), (_parser.AT, _parser.AT_NON_BOUNDARY),
}


class RegexError(ValueError):
    """The pattern cannot be used: GX would report the check as failed to run."""


@dataclass(frozen=True)
class PatternNeeds:
    """What pandas has to know about the data before it picks an engine."""
    python_always: bool
    ascii_fact: bool     # the engine depends on whether every value is ASCII
    newline_fact: bool   # ... on whether some value holds a newline


def _nodes(pattern: str) -> list[tuple] | None:
    repeats = {_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT}

    def walk(tokens):
        for op, arg in tokens:
            yield op, arg
            if op == _parser.SUBPATTERN:
                yield from walk(arg[3])
            elif op == _parser.BRANCH:
                for branch in arg[1]:
                    yield from walk(branch)
            elif op in repeats:
                yield from walk(arg[2])
            elif op in (_parser.ATOMIC_GROUP, _parser.IN):
                yield from walk(arg)

    try:
        return list(walk(_parser.parse(pattern)))
    except re.error:
        return None


@lru_cache(maxsize=512)
def pattern_needs(pattern: str) -> PatternNeeds:
    if _ESCAPED_UNICODE.search(pattern):
        return PatternNeeds(True, False, False)
    nodes = _nodes(pattern)
    if nodes is None:  # not Python syntax: pandas hands it to pyarrow
        return PatternNeeds(False, False, False)
    if any(op in _UNSUPPORTED_OPS for op, _ in nodes):
        return PatternNeeds(True, False, False)
    if any(op == _parser.CATEGORY and arg in _WHITESPACE for op, arg in nodes):
        return PatternNeeds(True, False, False)
    ascii_fact = any((op, arg) in _UNICODE_SENSITIVE for op, arg in nodes if op in (_parser.CATEGORY, _parser.AT))
    newline_fact = any(op == _parser.AT and arg == _parser.AT_END for op, arg in nodes)
    return PatternNeeds(False, ascii_fact, newline_fact)


def uses_python(pattern: str, any_non_ascii: bool, any_newline: bool) -> bool:
    needs = pattern_needs(pattern)
    return (needs.python_always or (needs.ascii_fact and any_non_ascii)
            or (needs.newline_fact and any_newline))


def sql_string(value: str) -> str:
    if "\x00" in value:
        raise RegexError("the pattern holds a NUL character")
    return "'" + value.replace("'", "''") + "'"


def re2_pattern(pattern: str) -> str:
    return _END_ANCHOR.sub(r"\1\\z", pattern)


def check_re2(con: duckdb.DuckDBPyConnection, pattern: str) -> str:
    """The RE2 spelling of the pattern, or RegexError with RE2's complaint."""
    spelled = re2_pattern(pattern)
    try:
        con.execute(f"SELECT regexp_matches('', {sql_string(spelled)})").fetchall()
    except duckdb.Error as e:
        message = str(e).split("Error:", 1)[-1].strip()
        raise RegexError(f"Invalid regular expression: {message}") from None
    return spelled


def check_python(pattern: str) -> None:
    try:
        _compiled(pattern)
    except (re.error, OverflowError, RecursionError) as e:
        raise RegexError(f"{type(e).__name__}: {e}") from None


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def search_sql(con, value_sql: str, pattern: str, python: bool) -> str:
    """A SQL boolean: the pattern is found in the value (the value is never NULL here)."""
    if python:
        check_python(pattern)
        ensure_python_search(con)
        return f"{PYTHON_SEARCH_FUNCTION}({sql_string(pattern)}, {value_sql})"
    return f"regexp_matches({value_sql}, {sql_string(check_re2(con, pattern))})"


def _python_search(patterns, values):
    import pyarrow as pa

    pats, vals = patterns.to_pylist(), values.to_pylist()
    out = [None if p is None or v is None else _compiled(p).search(v) is not None for p, v in zip(pats, vals, strict=True)]
    return pa.array(out, type=pa.bool_())


def ensure_python_search(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.create_function(PYTHON_SEARCH_FUNCTION, _python_search, [duckdb.sqltype("VARCHAR")] * 2,
                            duckdb.sqltype("BOOLEAN"), type="arrow")
    except duckdb.Error as e:
        if "already created" not in str(e):
            raise
