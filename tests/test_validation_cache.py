"""A --full-refresh re-reads every file but does not ask Great Expectations again
about a file whose bytes and suite are unchanged: it re-applies the recorded
outcome (quarantined rows, flags, refusals), and the marts come out the same.
A changed suite, or changed bytes, are validated afresh."""

from __future__ import annotations

import json
import shutil

import pytest

from pipelines import chunk_checks, settings
from tests.helpers import HASH_A, HASH_B, assert_same_marts, mart, run_pipeline, write_extract


def call(call_id, queue="waste", caller=HASH_A, hour=9, outcome="answered"):
    t = f"2024-03-04 {hour:02d}:00:00"
    answered = t[:-2] + "30" if outcome == "answered" else ""
    return [call_id, queue, caller, t, answered, t[:-5] + "59:59", outcome, "Y" if outcome == "answered" else ""]


def faulty_extracts(raw):
    write_extract(raw, "calls", "calls_20240304.csv", [
        call("C1"), call("C2", queue="no_such_queue"), call("C3", caller=HASH_B), call("C3", hour=10)])
    write_extract(raw, "calls", "calls_20240305.csv", [call("C4"), call("C5", caller="07700900123")])
    write_extract(raw, "calls", "calls_20240306.csv", [call("C6", outcome="abandoned"), call("C7")])


@pytest.fixture
def gx_calls(monkeypatch):
    """Count the row-level validations the ingest runs (rows checked each time), in
    SQL (checks_sql) or by Great Expectations on a whole frame."""
    import pipelines.checks_sql as checks_sql

    calls = []
    real, real_sql = chunk_checks.run_checks, checks_sql.run_checks_sql

    def counting(checks, frame, *a, **k):
        if checks and checks[0].frame in ("rows", "answers"):
            calls.append(len(frame))
        return real(checks, frame, *a, **k)

    def counting_sql(con, checks, relation, *a, **k):
        if checks and checks[0].frame in ("rows", "answers"):
            calls.append(con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0])
        return real_sql(con, checks, relation, *a, **k)

    monkeypatch.setattr(chunk_checks, "run_checks", counting)
    monkeypatch.setattr(checks_sql, "run_checks_sql", counting_sql)
    return calls


def test_full_refresh_reapplies_recorded_outcomes_without_gx(tmp_path, gx_calls):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    faulty_extracts(raw)
    assert run_pipeline(raw, marts, state) == 0
    assert sum(gx_calls) > 0
    first = tmp_path / "first"
    shutil.copytree(marts / "current", first / "current", symlinks=False)
    quarantined = mart(marts, "dq_quarantine")
    assert set(quarantined["check_name"]) >= {"queue_known"}
    assert mart(marts, "dq_refused_files")["file_name"].tolist() == ["calls_20240305.csv"]

    gx_calls.clear()
    assert run_pipeline(raw, marts, state, "--full-refresh") == 0
    assert gx_calls == [], "unchanged files are not validated again"
    assert_same_marts(marts, first)
    checks = mart(marts, "dq_check_runs")
    latest = checks[checks["run_id"] == checks["run_id"].max()]
    assert latest.set_index("check_name").loc["queue_known", "rows_failed"] == 1


def test_changed_bytes_or_suite_are_validated_again(tmp_path, gx_calls, monkeypatch):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    faulty_extracts(raw)
    assert run_pipeline(raw, marts, state) == 0

    # a corrected delivery of one file: only it is validated
    write_extract(raw, "calls", "calls_20240306.csv", [call("C6", outcome="abandoned"), call("C7"), call("C8")])
    gx_calls.clear()
    assert run_pipeline(raw, marts, state, "--full-refresh") == 0
    assert gx_calls == [3]

    # a suite edited by an analyst: every file is validated against it
    suites = tmp_path / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, suites)
    suite = json.loads((suites / "calls.json").read_text())
    suite["expectations"][0]["meta"]["description"] += " (reworded)"
    (suites / "calls.json").write_text(json.dumps(suite, indent=2))
    monkeypatch.setattr(settings, "EXPECTATIONS_DIR", suites)
    gx_calls.clear()
    assert run_pipeline(raw, marts, state, "--full-refresh") == 0
    assert sum(gx_calls) == 4 + 2 + 3
