"""Checks in SQL (pipelines/checks_sql) give Great Expectations' answers.

Every suite in expectations/ runs both ways, SQL in DuckDB and GX on pandas
(what the ingest does today), over the demo extracts, the hostile corpus
(tests/test_hostile_inputs.py) and the summaries (frames) of both runs, and
must name the same failing rows (file and row number) for every expectation,
with the same counts, successes and Data Docs figures. So must a suite of the
checks an analyst would add next, on real rows. A check that cannot run is an
error result, never a success.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import settings
from pipelines.checks_sql import run_checks_sql
from pipelines.contract import SOURCE_NAMES, load_sources
from pipelines.ingest import RUN_STARTED_AT
from pipelines.reference import Reference
from pipelines.validation import build_data_docs, frame_sql, load_suite
from pipelines.warehouse import land_table
from tests.sql_checks_harness import ROWS, compare, land
from tests.test_hostile_inputs import build_landing_zone, hostile_run  # noqa: F401 - the shared fixture

NOW = "2026-12-02 10:00:00"


@pytest.fixture(scope="module")
def parameters() -> dict:
    return {**Reference().suite_parameters, RUN_STARTED_AT: NOW}


@pytest.fixture(scope="module")
def hostile_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("hostile_raw")
    build_landing_zone(raw)
    return raw


def _files(raw: Path, source: str) -> list[Path]:
    folder = raw / source
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("_")) if folder.exists() else []


def _assert_agree(cmp, what: str):
    assert not cmp.mismatches, f"{what}:\n" + "\n".join(cmp.mismatches)


def _row_checks_both_ways(raw: Path, source_name: str, parameters: dict):
    source = load_sources()[source_name]
    suite = load_suite(source_name)
    con = duckdb.connect()
    frames = land(con, source, _files(raw, source_name), parameters)
    out = {}
    for frame_name, table in frames.items():
        checks = suite.checks_for(frame_name)
        if checks:
            out[frame_name] = compare(con, checks, table, parameters, rows_table=ROWS,
                                      sensitive_columns=source.pseudonymised_columns)
    return out


# Checks the SQL compiler leaves to GX on pandas (on purpose: a row_condition with
# a string method, `period.str.fullmatch(...)`, is not compiled); they still agree.
HANDED_TO_GX = {"kpi_commentary": {"period_matches_cadence"}}


@pytest.mark.parametrize("source", SOURCE_NAMES)
def test_every_suite_agrees_on_the_demo_extracts(demo_env, parameters, source):
    raw = demo_env[0]
    results = _row_checks_both_ways(raw, source, parameters)
    assert results, f"{source}: no rows checked"
    for frame_name, cmp in results.items():
        _assert_agree(cmp, f"{source} {frame_name}")
        # every check of these suites runs in SQL, bar those listed: nothing else is left to GX
        assert set(cmp.stats.handed_to_gx) == HANDED_TO_GX.get(source, set()), cmp.stats.handed_to_gx
        assert not cmp.stats.errors, cmp.stats.errors
    if source in ("calls", "contacts", "complaints"):  # the generator plants faults in these
        assert sum(c.failing_rows for c in results.values()) > 0, "the demo data's planted faults are found"


@pytest.mark.parametrize("source", sorted({c["source"] for c in __import__(
    "tests.test_hostile_inputs", fromlist=["CASES"]).CASES.values()} | {"workforce", "channel_costs"}))
def test_every_suite_agrees_on_the_hostile_corpus(hostile_raw, parameters, source):
    for frame_name, cmp in _row_checks_both_ways(hostile_raw, source, parameters).items():
        _assert_agree(cmp, f"hostile {source} {frame_name}")
        assert not cmp.stats.handed_to_gx and not cmp.stats.errors


def test_the_hostile_corpus_fails_where_the_contract_says(hostile_raw, parameters):
    """Not only agreement: the SQL path finds the future call and the phone number."""
    calls = _row_checks_both_ways(hostile_raw, "calls", parameters)["rows"]
    future = next(r for r in calls.sql if r.check.name == "offered_at_not_in_future")
    assert future.unexpected_count == 1
    complaints = _row_checks_both_ways(hostile_raw, "complaints", parameters)["rows"]
    phone = next(r for r in complaints.sql if r.check.config["type"] == "expect_column_values_to_not_match_regex")
    assert phone.unexpected_count == 1 and not phone.success


def _frames_both_ways(state: Path, tmp_path: Path, parameters: dict):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(state / "warehouse.duckdb", copy)
    con = duckdb.connect(str(copy))
    seen = 0
    for source in SOURCE_NAMES:
        suite = load_suite(source)
        con.execute(f"CREATE OR REPLACE TEMP TABLE frame_files AS SELECT DISTINCT _file AS file_name "
                    f"FROM {land_table(source)}")
        for frame_name in sorted({c.frame for c in suite.checks} - {"rows", "answers"}):
            con.execute(f"CREATE OR REPLACE TEMP TABLE diff_frame_raw AS "
                        f"{frame_sql(frame_name, source, land_table(source))}")
            con.execute("CREATE OR REPLACE TEMP TABLE diff_frame AS "
                        "SELECT row_number() OVER () - 1 AS _rid, * FROM diff_frame_raw")
            if not con.execute("SELECT count(*) FROM diff_frame").fetchall()[0][0]:
                continue
            cmp = compare(con, suite.checks_for(frame_name), "diff_frame", parameters)
            _assert_agree(cmp, f"{source} frame {frame_name}")
            assert not cmp.stats.handed_to_gx and not cmp.stats.errors
            seen += 1
    return seen


def test_checks_on_summaries_agree_on_the_demo_run(demo_env, parameters, tmp_path):
    assert _frames_both_ways(demo_env[2], tmp_path, parameters) >= 5


def test_checks_on_summaries_agree_on_the_hostile_run(hostile_run, parameters, tmp_path):  # noqa: F811
    assert _frames_both_ways(hostile_run[3], tmp_path, parameters) >= 3


# ------------------------------------------------------------------ what an analyst adds next
def analyst_expectations() -> dict[str, list[dict]]:
    """Checks an analyst would plausibly add, each with options the suites do not use yet."""
    count = iter(range(1000))

    def e(type_, severity="warning", **kwargs):
        return {"type": type_, "kwargs": kwargs, "severity": severity,
                "meta": {"name": f"analyst_{next(count)}_{type_.removeprefix('expect_')}",
                         "description": "analyst check"}}
    return {
        "calls": [
            e("expect_column_values_to_not_be_null", column="first_contact_resolved",
              row_condition='outcome == "answered" and queue != "waste"', condition_parser="pandas", mostly=0.9),
            e("expect_column_values_to_be_in_set", column="first_contact_resolved", value_set=[True],
              row_condition='col("outcome")=="answered"', condition_parser="great_expectations", mostly=0.5),
            e("expect_column_values_to_not_be_in_set", column="queue", value_set=["waste", "parking"]),
            e("expect_column_values_to_be_between", column="offered_at", min_value="2025-01-01 00:00:00",
              max_value="2025-06-30 23:59:59", strict_max=True),
            e("expect_column_values_to_be_between", column="ended_at", min_value="2025-03-01T08:00:00",
              strict_min=True, row_condition="answered_at.notnull()", condition_parser="pandas"),
            e("expect_column_values_to_match_regex", column="call_id", regex=r"^[A-Z]+[0-9]{3,}$"),
            e("expect_column_values_to_not_match_regex", column="caller_hash", regex=r"(.)\1\1\1"),
            e("expect_column_values_to_match_regex_list", column="queue", regex_list=["^w", "s$", "t"],
              match_on="any"),
            e("expect_column_values_to_match_regex_list", column="queue", regex_list=["a", "e"], match_on="all"),
            e("expect_column_values_to_not_match_regex_list", column="queue", regex_list=[r"\d", r"\s"]),
            e("expect_column_value_lengths_to_be_between", column="call_id", min_value=4, max_value=9,
              strict_min=True),
            e("expect_column_value_lengths_to_equal", column="caller_hash", value=32),
            e("expect_column_values_to_be_unique", column="call_id"),
            e("expect_column_values_to_be_unique", column="offered_at", mostly=0.99),
            e("expect_compound_columns_to_be_unique", column_list=["queue", "offered_at"],
              ignore_row_if="any_value_is_missing"),
            e("expect_column_pair_values_a_to_be_greater_than_b", column_A="ended_at", column_B="answered_at",
              ignore_row_if="both_values_are_missing"),
            e("expect_column_pair_values_to_be_equal", column_A="offered_at", column_B="answered_at",
              ignore_row_if="neither", mostly=0.01),
            e("expect_select_column_values_to_be_unique_within_record",
              column_list=["offered_at", "answered_at", "ended_at"], ignore_row_if="never"),
            e("expect_column_values_to_be_null", column="answered_at",
              row_condition='(outcome != "answered") | (queue in ["parking", "benefits"])', condition_parser="pandas"),
            e("expect_column_values_to_be_in_set", column="outcome", value_set=["answered"],
              row_condition='offered_at >= "2025-03-01" and ~ended_at.isnull()', condition_parser="pandas"),
            # not compiled: GX on pandas answers it
            e("expect_column_values_to_be_increasing", column="offered_at"),
            e("expect_column_max_to_be_between", column="offered_at", min_value="2024-01-01 00:00:00"),
        ],
        "contacts": [
            e("expect_column_values_to_be_in_set", column="assisted", value_set=[False],
              row_condition='channel == "online"', condition_parser="pandas", mostly=0.8),
            e("expect_column_values_to_not_be_null", column="age_band", mostly=0.95),
            e("expect_column_values_to_match_regex", column="site", regex=r"(?i)^[a-z][\w ]+$"),
            e("expect_column_values_to_match_regex", column="site", regex=r"\s{2,}|^\s|\s$"),
            e("expect_column_values_to_be_between", column="started_at", max_value={"$PARAMETER": RUN_STARTED_AT},
              row_condition="completed == False", condition_parser="pandas"),
            e("expect_compound_columns_to_be_unique", column_list=["customer_hash", "started_at", "channel"]),
            e("expect_column_values_to_be_in_set", column="service", value_set={"$PARAMETER": "service_codes"},
              row_condition='channel in ["online", "email"] and age_band.isna()', condition_parser="pandas"),
        ],
        "complaints": [
            e("expect_column_values_to_be_between", column="remedy_gbp", min_value=0, max_value=250,
              strict_min=True, mostly=0.9),
            e("expect_column_values_to_be_between", column="received_on", min_value="2025-01-01 00:00:00"),
            e("expect_column_pair_values_a_to_be_greater_than_b", column_A="responded_on", column_B="received_on",
              or_equal=False, ignore_row_if="either_value_is_missing"),
            e("expect_column_values_to_match_regex", column="category", regex=r"\b[A-Z][a-z]+\b"),
            e("expect_column_value_lengths_to_be_between", column="category", max_value=20),
            e("expect_column_values_to_be_in_set", column="stage", value_set=["1"],
              row_condition="remedy_gbp > 100.5 or outcome == 'upheld'", condition_parser="pandas"),
        ],
    }


@pytest.mark.parametrize("source", ["calls", "contacts", "complaints"])
def test_checks_an_analyst_adds_agree_on_real_rows(demo_env, parameters, tmp_path, monkeypatch, source):
    folder = tmp_path / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, folder)
    doc = json.loads((folder / f"{source}.json").read_text())
    doc["expectations"] = analyst_expectations()[source]
    (folder / f"{source}.json").write_text(json.dumps(doc))
    monkeypatch.setattr(settings, "EXPECTATIONS_DIR", folder)
    results = _row_checks_both_ways(demo_env[0], source, parameters)["rows"]
    _assert_agree(results, f"analyst checks on {source}")
    failing = [r.check.name for r in results.gx if r.failing_rids is not None and len(r.failing_rids)]
    assert len(failing) >= 3, "the analyst's checks find rows, so agreement means something"
    handed = set(results.stats.handed_to_gx)
    assert handed == {c.name for c in results.checks if c.config["type"] in (
        "expect_column_values_to_be_increasing", "expect_column_max_to_be_between")}


# ------------------------------------------------------------------ could not run: never a success
def _one(con, table, type_, severity="critical", parameters=None, **kwargs):
    from pipelines.validation import Check

    check = Check(0, "c", "d", severity, "quarantine_rows", "rows", {"type": type_, "kwargs": kwargs})
    return run_checks_sql(con, [check], table, parameters or {})[0]


@pytest.mark.parametrize("type_, kwargs", [
    ("expect_column_values_to_not_be_null", {"column": "no_such_column"}),
    ("expect_column_values_to_match_regex", {"column": "queue", "regex": "(unclosed"}),
    ("expect_column_values_to_match_regex", {"column": "queue", "regex": "(?x) w a s t e"}),  # RE2 refuses
    ("expect_column_values_to_match_regex", {"column": "queue", "regex": "a*+"}),             # RE2 refuses
    ("expect_column_values_to_be_in_set", {"column": "queue", "value_set": ["waste"],
                                           "row_condition": "no_such_column == 1", "condition_parser": "pandas"}),
    ("expect_column_values_to_be_in_set", {"column": "queue", "value_set": ["waste"],
                                           "row_condition": "queue ==", "condition_parser": "pandas"}),
    ("expect_column_values_to_be_in_set", {"column": "queue", "value_set": {"$PARAMETER": "not_given"}}),
    ("expect_column_values_to_be_between", {"column": "offered_at", "max_value": "2026-12-02"}),  # a date, not a time
    ("expect_column_values_to_be_between", {"column": "queue", "max_value": 5}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "ended_at", "column_B": "nowhere"}),
])
def test_a_check_that_cannot_run_is_an_error_never_a_success(type_, kwargs):
    con = duckdb.connect()
    con.execute("""CREATE TABLE t AS SELECT i AS _rid, 'waste' AS queue,
        TIMESTAMP '2024-03-04 09:00:00' + to_minutes(i) AS offered_at,
        TIMESTAMP '2024-03-04 09:30:00' AS ended_at FROM range(5) r(i)""")
    r = _one(con, "t", type_, **kwargs)
    assert r.error and not r.success, (r.error, r.success)


def test_an_error_in_one_check_costs_the_others_nothing():
    from pipelines.validation import Check

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT i AS _rid, CASE WHEN i = 2 THEN NULL ELSE 'x' END AS s FROM range(4) r(i)")
    checks = [Check(i, f"c{i}", "d", "critical", "quarantine_rows", "rows", {"type": t, "kwargs": kw})
              for i, (t, kw) in enumerate([
                  ("expect_column_values_to_not_be_null", {"column": "s"}),
                  ("expect_column_values_to_match_regex", {"column": "s", "regex": "[unclosed"}),
                  ("expect_column_values_to_be_in_set", {"column": "s", "value_set": ["y"]})])]
    ok, bad, in_set = run_checks_sql(con, checks, "t", {})
    assert (ok.success, ok.failing_rids.tolist()) == (False, [2])
    assert bad.error and not bad.success
    assert (in_set.unexpected_count, in_set.failing_rids.tolist()) == (3, [0, 1, 3])


def test_data_docs_render_from_sql_results(demo_env, parameters, tmp_path):
    """The SQL results go through GX's own Data Docs builder, with their figures."""
    source = load_sources()["calls"]
    suite = load_suite("calls")
    con = duckdb.connect()
    land(con, source, _files(demo_env[0], "calls"), parameters)
    docs: list = []
    results = run_checks_sql(con, suite.checks_for("rows"), ROWS, parameters, docs=docs,
                             sensitive_columns=source.pseudonymised_columns, suite_name="calls")
    index = build_data_docs(tmp_path / "docs", [suite], [("calls", "calls sql", docs[0])], "sql-run")
    assert index.exists()
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "docs" / "validations").rglob("*.html")]
    assert len(pages) == 1
    page = pages[0]
    for r in results:
        assert r.check.config["type"].removeprefix("expect_").split("_")[0] in page
    failing = [r for r in results if not r.success]
    assert failing, "the demo's planted faults show on the page"
    assert f"{failing[0].unexpected_count} unexpected" in page or str(failing[0].unexpected_count) in page
    # the pseudonymised column's values are not in the docs
    hashes = con.execute(f"SELECT caller_hash FROM {ROWS} LIMIT 50").fetchall()
    assert not any(h[0] and h[0] in page for h in hashes)


def test_a_check_gx_answers_that_gx_cannot_build_is_an_error_and_spares_the_others():
    """A parameter value GX rejects makes GX raise for its whole suite: the SQL path
    asks it check by check instead, so only that check is an error."""
    from pipelines.validation import Check

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT i AS _rid, i * 1.5 AS x FROM range(6) r(i)")
    configs = [("expect_column_mean_to_be_between", {"column": "x", "min_value": {"$PARAMETER": "low"}}),
               ("expect_column_max_to_be_between", {"column": "x", "max_value": 100}),
               ("expect_column_values_to_be_between", {"column": "x", "max_value": 6})]
    checks = [Check(i, f"c{i}", "d", "critical", "quarantine_rows", "rows", {"type": t, "kwargs": kw})
              for i, (t, kw) in enumerate(configs)]
    docs: list = []
    bad, gx_ok, sql_ok = run_checks_sql(con, checks, "t", {"low": "not a number"}, docs=docs)
    assert bad.error and not bad.success
    assert gx_ok.success and gx_ok.error is None
    assert (sql_ok.success, sql_ok.failing_rids.tolist()) == (False, [5])
    assert len(docs[0].results) == 3


def test_failing_rows_are_named_by_file_and_row(demo_env, parameters):
    from pipelines.checks_sql import failing_file_rows

    con = duckdb.connect()
    land(con, load_sources()["calls"], _files(demo_env[0], "calls"), parameters)
    results = run_checks_sql(con, load_suite("calls").checks_for("rows"), ROWS, parameters)
    failing = next(r for r in results if len(r.failing_rids))
    rows = failing_file_rows(con, ROWS, failing.failing_rids)
    assert len(rows) == len(failing.failing_rids)
    assert set(rows.columns) == {"_file", "_row"} and rows["_file"].str.startswith("calls_").all()
