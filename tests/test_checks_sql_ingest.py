"""The ingest's row-level checks run in SQL (pipelines.checks_sql) and decide as GX did.

The same landing zone (the hostile corpus) run with CX_CHECKS_ENGINE=sql and
=gx must publish the same marts, quarantine the same rows for the same checks,
refuse the same files for the same reasons and count every check alike; the
SQL run must never hand a whole frame of rows to Great Expectations (only the
columns of a check it does not compile, kpi_commentary's period_matches_cadence). A check that cannot run holds back what it guards on
either path, and a failure of the SQL path as a whole falls back to GX.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines import chunk_checks, settings
from tests.helpers import assert_same_marts, mart, run_pipeline, write_extract
from tests.test_hostile_failsafe import PHONE, call, edit_check
from tests.test_hostile_inputs import build_landing_zone

pytestmark = pytest.mark.xdist_group("checks_sql_ingest")

@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    root = tmp_path_factory.mktemp("engines")
    raw = root / "raw"
    build_landing_zone(raw)
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        for engine in ("gx", "sql"):
            mp.setenv("CX_CHECKS_ENGINE", engine)
            marts, state = root / f"marts_{engine}", root / f"state_{engine}"
            if engine == "sql":  # the rows stay in DuckDB: GX on pandas is never handed a whole frame
                mp.setattr(chunk_checks, "run_checks_safely", _not_called)
            out[engine] = (run_pipeline(raw, marts, state), marts)
    return out


def _not_called(*args, **kwargs):
    raise AssertionError("the SQL path handed a frame of rows to Great Expectations")


def _check_runs(marts: Path):
    runs = mart(marts, "dq_check_runs")
    keep = [c for c in ("source", "check_name", "severity", "on_failure", "rows_checked", "rows_failed",
                        "files_failed", "error") if c in runs.columns]
    return runs[keep].sort_values(["source", "check_name"]).reset_index(drop=True)


def test_both_engines_publish_the_same(both_engines):
    (gx_code, gx_marts), (sql_code, sql_marts) = both_engines["gx"], both_engines["sql"]
    assert gx_code == sql_code == 0
    assert_same_marts(gx_marts, sql_marts)


def test_both_engines_count_every_check_alike(both_engines):
    import pandas as pd

    gx, sql = _check_runs(both_engines["gx"][1]), _check_runs(both_engines["sql"][1])
    pd.testing.assert_frame_equal(gx, sql)
    assert gx["rows_failed"].sum() > 0


def test_both_engines_quarantine_the_same_rows_for_the_same_checks(both_engines):
    gx, sql = (mart(both_engines[e][1], "dq_quarantine") for e in ("gx", "sql"))
    key = [c for c in ("source", "file_name", "row_number", "check_name", "reason") if c in gx.columns]
    assert len(gx) > 0
    assert sorted(map(tuple, gx[key].astype(str).to_numpy())) == sorted(map(tuple, sql[key].astype(str).to_numpy()))


def _validation_pages(marts: Path) -> dict[str, int]:
    """Data Docs validation pages per suite (their paths carry the run's id and time)."""
    pages: dict[str, int] = {}
    for page in (marts / "current" / "data_docs" / "validations").rglob("*.html"):
        suite = page.relative_to(marts / "current" / "data_docs" / "validations").parts[0]
        pages[suite] = pages.get(suite, 0) + 1
    return pages


def test_both_engines_give_the_same_data_docs_pages(both_engines):
    gx, sql = (_validation_pages(both_engines[e][1]) for e in ("gx", "sql"))
    assert gx and gx == sql


# ------------------------------------------------------------------ fail safe on the SQL path
@pytest.fixture
def suites(tmp_path, monkeypatch):
    folder = tmp_path / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, folder)
    monkeypatch.setattr(settings, "EXPECTATIONS_DIR", folder)
    monkeypatch.setenv("CX_CHECKS_ENGINE", "sql")
    return folder


def _phone_night(raw: Path) -> None:
    write_extract(raw, "calls", "calls_1.csv", [call(f"C{i}") for i in range(72)] + [call("C72", caller=PHONE)])
    write_extract(raw, "calls", "calls_2.csv", [call("D1")])
    write_extract(raw, "workforce", "workforce_2024-03.csv", [["2024-03", "Resources", "100"]])


@pytest.mark.parametrize("engine", ["sql", "gx"])
def test_a_critical_check_sql_cannot_run_holds_back_the_files_it_guards(tmp_path, suites, monkeypatch, engine):
    """A bound written as a date alone cannot be compared with a time: GX and the SQL
    checks both say the check could not run, and every file it guards is held back."""
    monkeypatch.setenv("CX_CHECKS_ENGINE", engine)
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    _phone_night(raw)
    edit_check(suites, "calls", "offered_at_not_in_future", max_value="2099-01-01")
    assert run_pipeline(raw, marts, state) == 0
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 0
    refused = mart(marts, "dq_refused_files", "source = 'calls'").set_index("file_name")["reason"].to_dict()
    assert set(refused) == {"calls_1.csv", "calls_2.csv"}
    assert all("offered_at_not_in_future" in r and "could not run" in r for r in refused.values())
    checks = mart(marts, "dq_check_runs", "check_name = 'offered_at_not_in_future'")
    assert checks["error"].notna().all() and checks["files_failed"].tolist() == [2]
    assert PHONE not in json.dumps(refused)


def test_a_failure_of_the_sql_path_as_a_whole_is_answered_by_gx(tmp_path, suites, monkeypatch):
    import pipelines.checks_sql as checks_sql

    def broken(*args, **kwargs):
        raise RuntimeError("the SQL path is broken")

    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    _phone_night(raw)
    monkeypatch.setattr(checks_sql, "run_checks_sql", broken)
    assert run_pipeline(raw, marts, state) == 0
    refused = mart(marts, "dq_refused_files", "source = 'calls'").set_index("file_name")["reason"].to_dict()
    assert list(refused) == ["calls_1.csv"] and "data-protection breach" in refused["calls_1.csv"]
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 1


def test_when_neither_path_can_run_the_checks_everything_they_guard_is_held_back(tmp_path, suites, monkeypatch):
    import pipelines.checks_sql as checks_sql

    real_run_checks = chunk_checks.run_checks

    def broken(*args, **kwargs):
        raise RuntimeError("broken")

    def gx_broken_on_rows(checks, frame, *args, **kwargs):
        if "call_id" in frame.columns:
            raise RuntimeError("broken")
        return real_run_checks(checks, frame, *args, **kwargs)

    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    _phone_night(raw)
    monkeypatch.setattr(checks_sql, "run_checks_sql", broken)
    monkeypatch.setattr(chunk_checks, "run_checks", gx_broken_on_rows)
    assert run_pipeline(raw, marts, state) == 0
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 0
    refused = mart(marts, "dq_refused_files", "source = 'calls'").set_index("file_name")["reason"].to_dict()
    assert set(refused) == {"calls_1.csv", "calls_2.csv"}
    assert all("could not run" in r for r in refused.values())


def test_an_unknown_engine_publishes_nothing_of_its_source(tmp_path, suites, monkeypatch):
    monkeypatch.setenv("CX_CHECKS_ENGINE", "none")
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    _phone_night(raw)
    run_pipeline(raw, marts, state)
    calls = mart(marts, "fct_calls_monthly") if (marts / "current").exists() else None
    assert calls is None or calls["offered"].sum() == 0
