"""Property tests: on random values, every compiled expectation type gives GX's answer.

Hypothesis draws small tables whose values are the awkward ones (missing values
in every type, NaN, infinities and -0.0, non-ASCII text, newlines, vertical
tabs, Kelvin signs and Arabic digits, duplicates) and checks with random
arguments (bounds, strictness, value sets, regexes that pick either engine,
row conditions in both parsers, ignore_row_if, mostly); each draw runs both
ways and must agree on errors, successes, counts and failing rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.validation import Check
from tests.sql_checks_harness import compare

pytestmark = pytest.mark.filterwarnings("ignore")

# `make test` draws the same 30 tables per test every time; CX_HYPOTHESIS_EXAMPLES=500 searches wider.
SETTINGS = settings(max_examples=int(os.environ.get("CX_HYPOTHESIS_EXAMPLES", "30")), deadline=None,
                    derandomize="CX_HYPOTHESIS_EXAMPLES" not in os.environ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ALPHABET = "abK_ 1\n\x0bé\u212a\u00df\u017f\u0663Z-"
COLUMNS = ["s", "s2", "i", "i2", "f", "m", "b", "t", "t2", "d"]
TYPES = {"s": "VARCHAR", "s2": "VARCHAR", "i": "BIGINT", "i2": "BIGINT", "f": "DOUBLE", "m": "DECIMAL(18,2)",
         "b": "BOOLEAN", "t": "TIMESTAMP", "t2": "TIMESTAMP", "d": "DATE"}
T0 = dt.datetime(2024, 1, 1)


def maybe(strategy, null_weight: int = 1):
    return st.one_of(*([st.none()] * null_weight), strategy, strategy, strategy)


texts = st.text(alphabet=ALPHABET, max_size=4)
short_texts = st.sampled_from(["a", "b", "ab", "K", "é"])
ints = st.integers(min_value=-3, max_value=3)
floats = st.one_of(st.sampled_from([0.0, -0.0, 0.5, 1.0, -1.5, float("inf"), float("-inf"), float("nan")]),
                   st.floats(min_value=-5, max_value=5, allow_nan=False))
money = st.decimals(min_value=-5, max_value=5, places=2, allow_nan=False, allow_infinity=False)
times = st.integers(min_value=0, max_value=4 * 24).map(lambda h: T0 + dt.timedelta(hours=h))
dates = st.integers(min_value=0, max_value=4).map(lambda d: (T0 + dt.timedelta(days=d)).date())

ROW = st.fixed_dictionaries({
    "s": maybe(texts), "s2": maybe(short_texts), "i": maybe(ints), "i2": maybe(ints), "f": maybe(floats),
    "m": maybe(money), "b": maybe(st.booleans()), "t": maybe(times), "t2": maybe(times), "d": maybe(dates),
})
TABLES = st.lists(ROW, min_size=1, max_size=25)


def table(rows: list[dict]):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (_rid BIGINT, " + ", ".join(f"{c} {TYPES[c]}" for c in COLUMNS) + ")")
    con.executemany(f"INSERT INTO t VALUES ({', '.join(['?'] * (len(COLUMNS) + 1))})",
                    [[10 * k + 3] + [r[c] for c in COLUMNS] for k, r in enumerate(rows)])
    return con


def checks_of(configs: list[tuple[str, dict]]) -> list[Check]:
    return [Check(i, f"c{i}", "d", "critical", "quarantine_rows", "rows", {"type": t, "kwargs": kw})
            for i, (t, kw) in enumerate(configs)]


def agree(rows, configs, parameters=None):
    con = table(rows)
    cmp = compare(con, checks_of(configs), "t", parameters or {})
    assert not cmp.mismatches, "\n".join(cmp.mismatches)
    return cmp


# ------------------------------------------------------------------ row conditions
ATOMS = [
    's == "a"', 's != "a"', "s < 'b'", 'i > 0', 'i != 1', 'i == i2', 'i2 <= i', 'b == True', 'b != False',
    'f < 0.5', 'f != f', 'f >= -1', 'm > 1.25', 'm != 0', 't >= "2024-01-02"', 't < t2', 'd == "2024-01-03"',
    's.isnull()', '~i.isna()', 'f.notnull()', 'b.notna()', 's in ["a", "ab", "K"]', 'i not in [1, 2]',
    's2 != s', '-1 < i', '0 <= i < 2', 'b != b',
]
GX_PARSER = ['col("i")>0', 'col("s")=="a"', 'col("s").notnull()', 'col("f")<=0.5', "col('s2')!='b'"]


@st.composite
def row_conditions(draw):
    if draw(st.integers(0, 4)) == 0:
        return {"row_condition": draw(st.sampled_from(GX_PARSER)), "condition_parser": "great_expectations"}
    atoms = draw(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3))
    joiners = draw(st.lists(st.sampled_from([" and ", " or ", " & ", " | "]), min_size=len(atoms) - 1,
                            max_size=len(atoms) - 1))
    text = f"({atoms[0]})"
    for joiner, atom in zip(joiners, atoms[1:], strict=True):
        text += f"{joiner}({atom})"
    if draw(st.booleans()):
        text = f"~({text})" if draw(st.booleans()) else f"not ({text})"
    return {"row_condition": text, "condition_parser": "pandas"}


def with_condition(kwargs: dict, draw) -> dict:
    if draw(st.integers(0, 2)) == 0:
        kwargs.update(draw(row_conditions()))
    if draw(st.booleans()):
        kwargs["mostly"] = draw(st.sampled_from([0.0, 0.3, 0.5, 0.75, 0.9, 1.0]))
    return kwargs


# ------------------------------------------------------------------ one strategy per family
@st.composite
def null_checks(draw):
    kind = draw(st.sampled_from(["expect_column_values_to_not_be_null", "expect_column_values_to_be_null"]))
    return kind, with_condition({"column": draw(st.sampled_from(COLUMNS))}, draw)


@st.composite
def set_checks(draw):
    kind = draw(st.sampled_from(["expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"]))
    column = draw(st.sampled_from(COLUMNS))
    members = {"s": texts, "s2": short_texts, "i": ints, "i2": ints, "f": floats, "m": money.map(float),
               "b": st.booleans(), "t": times.map(str), "t2": times.map(str), "d": dates.map(str)}[column]
    values = draw(st.lists(st.one_of(members, members, st.sampled_from(["a", 1, 1.5, True])), max_size=4))
    return kind, with_condition({"column": column, "value_set": values}, draw)


@st.composite
def between_checks(draw):
    column = draw(st.sampled_from(["i", "i2", "f", "m", "t", "t2", "d", "s"]))
    if column in ("t", "t2", "d"):
        bound = st.one_of(times.map(lambda x: x.isoformat(sep=" ")), times.map(lambda x: x.isoformat()))
    else:
        bound = st.one_of(ints, st.floats(min_value=-4, max_value=4, allow_nan=False))
    kwargs = {"column": column}
    for key in draw(st.sampled_from([["min_value"], ["max_value"], ["min_value", "max_value"]])):
        kwargs[key] = draw(bound)
    for key in ("strict_min", "strict_max"):
        if draw(st.booleans()):
            kwargs[key] = draw(st.booleans())
    return "expect_column_values_to_be_between", with_condition(kwargs, draw)


PATTERNS = ["^a", "a$", r"\w+", r"^\d+$", r"\bK", r"\s", r"\S+$", "(?i)k", "(?i)ß", "é", ".", "^.$", r"a\Z",
            r"(?=a)", r"(a)\1", "[[:alpha:]]", r"\p{L}", "a{,2}", "x*", "^$", r"[^\x00-\x7f]", r"\D", r"\W",
            "(?s)a.b", "(?m)^b", r"\u00e9", "[a-z]+", "ab|cd", r"(?i)[a-z]$", r"\d", r"\B", "K$|^_",
            r"(?:@|[g-zG-Z]|[ \t\r\n]|^\+|^0[0-9]{8,14}$)", r"^[0-9a-f]{16,}$", "(?x) a b", "a*+", "[unclosed"]


@st.composite
def regex_checks(draw):
    kind = draw(st.sampled_from(["expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex",
                                 "expect_column_values_to_match_regex_list",
                                 "expect_column_values_to_not_match_regex_list"]))
    kwargs = {"column": draw(st.sampled_from(["s", "s", "s2", "i"]))}
    if kind.endswith("_list"):
        kwargs["regex_list"] = draw(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3))
        if kind == "expect_column_values_to_match_regex_list":
            kwargs["match_on"] = draw(st.sampled_from(["any", "all"]))
    else:
        kwargs["regex"] = draw(st.sampled_from(PATTERNS))
    return kind, with_condition(kwargs, draw)


@st.composite
def length_checks(draw):
    column = draw(st.sampled_from(["s", "s", "s2"]))
    if draw(st.booleans()):
        return "expect_column_value_lengths_to_equal", with_condition(
            {"column": column, "value": draw(st.integers(0, 4))}, draw)
    kwargs = {"column": column}
    for key in draw(st.sampled_from([["min_value"], ["max_value"], ["min_value", "max_value"]])):
        kwargs[key] = draw(st.integers(0, 4))
    for key in ("strict_min", "strict_max"):
        if draw(st.booleans()):
            kwargs[key] = draw(st.booleans())
    return "expect_column_value_lengths_to_be_between", with_condition(kwargs, draw)


@st.composite
def unique_checks(draw):
    kind = draw(st.sampled_from(["expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique",
                                 "expect_select_column_values_to_be_unique_within_record"]))
    if kind == "expect_column_values_to_be_unique":
        return kind, with_condition({"column": draw(st.sampled_from(COLUMNS))}, draw)
    if kind == "expect_select_column_values_to_be_unique_within_record":
        group = draw(st.sampled_from([["s", "s2"], ["i", "i2"], ["t", "t2", "d"], ["i", "f", "m"], ["s", "i"]]))
    else:
        group = draw(st.lists(st.sampled_from(COLUMNS), min_size=2, max_size=3, unique=True))
    kwargs = {"column_list": group}
    if draw(st.booleans()):
        kwargs["ignore_row_if"] = draw(st.sampled_from(["all_values_are_missing", "any_value_is_missing", "never"]))
    return kind, with_condition(kwargs, draw)


@st.composite
def pair_checks(draw):
    kind = draw(st.sampled_from(["expect_column_pair_values_a_to_be_greater_than_b",
                                 "expect_column_pair_values_to_be_equal"]))
    a, b = draw(st.sampled_from([("t", "t2"), ("t2", "d"), ("i", "i2"), ("f", "m"), ("i", "f"), ("s", "s2"),
                                 ("b", "b"), ("s", "i")]))
    kwargs = {"column_A": a, "column_B": b}
    if draw(st.booleans()):
        kwargs["ignore_row_if"] = draw(st.sampled_from(["both_values_are_missing", "either_value_is_missing",
                                                        "neither"]))
    if kind.endswith("greater_than_b") and draw(st.booleans()):
        kwargs["or_equal"] = draw(st.booleans())
    return kind, with_condition(kwargs, draw)


@SETTINGS
@given(TABLES, st.lists(null_checks(), min_size=1, max_size=4))
def test_null_checks(rows, configs):
    agree(rows, configs)


@SETTINGS
@given(TABLES, st.lists(set_checks(), min_size=1, max_size=4))
def test_value_set_checks(rows, configs):
    agree(rows, configs)


@SETTINGS
@given(TABLES, st.lists(between_checks(), min_size=1, max_size=4))
def test_between_checks(rows, configs):
    agree(rows, configs)


@SETTINGS
@given(TABLES, st.lists(regex_checks(), min_size=1, max_size=4))
def test_regex_checks(rows, configs):
    agree(rows, configs)


@SETTINGS
@given(TABLES, st.lists(length_checks(), min_size=1, max_size=4))
def test_value_length_checks(rows, configs):
    agree(rows, configs)


@SETTINGS
@given(TABLES, st.lists(unique_checks(), min_size=1, max_size=4))
def test_uniqueness_checks(rows, configs):
    agree(rows, configs)


@SETTINGS
@given(TABLES, st.lists(pair_checks(), min_size=1, max_size=4))
def test_column_pair_checks(rows, configs):
    agree(rows, configs)


@SETTINGS
@given(TABLES, st.lists(st.one_of(null_checks(), set_checks(), between_checks(), regex_checks(), length_checks(),
                                  unique_checks(), pair_checks()), min_size=3, max_size=8))
def test_many_checks_in_one_pass(rows, configs):
    """Mixed checks answered together by one query agree as they do alone."""
    agree(rows, configs)


def test_a_decimal_column_compares_as_pandas_float():
    """DECIMAL arrives in pandas as float64: 0.1 + 0.2 style values compare as floats."""
    rows = [dict.fromkeys(COLUMNS) | {"m": decimal.Decimal("0.30")}, dict.fromkeys(COLUMNS) | {"m": decimal.Decimal("0.10")}]
    agree(rows, [("expect_column_values_to_be_between", {"column": "m", "min_value": 0.3}),
                 ("expect_column_values_to_be_in_set", {"column": "m", "value_set": [0.1]})])
