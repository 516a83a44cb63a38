"""Corrections (data contract s1): a later file's row replaces an earlier one, an
identical re-delivery changes nothing, and the warehouse mirrors the landing zone."""

from __future__ import annotations

import pytest

from tests.helpers import HASH_A, kpi, mart, run_pipeline, write_extract

T0, T1, T2 = "2024-03-04 09:00:00", "2024-03-04 09:00:30", "2024-03-04 09:05:00"


def call(call_id: str, fcr: str = "", queue: str = "waste") -> list:
    return [call_id, queue, HASH_A, T0, T1, T2, "answered", fcr]


@pytest.fixture
def env(tmp_path):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"

    def run(*extra):
        assert run_pipeline(raw, marts, state, *extra) == 0
        return mart(marts, "fct_calls_monthly")

    return raw, marts, run


def test_a_later_file_replaces_the_row_across_runs(env):
    raw, marts, run = env
    write_extract(raw, "calls", "calls_20240304.csv", [call("C1"), call("C2", "N")])
    run()
    assert kpi(marts, "first_contact_resolution_rate", "2024-03")["value"] == pytest.approx(0.0)
    # next night: the telephony system re-sends C1 with the adviser's wrap-up
    write_extract(raw, "calls", "calls_20240305.csv", [call("C1", "Y")])
    calls = run()
    assert calls["offered"].sum() == 2  # still two calls, not three
    row = kpi(marts, "first_contact_resolution_rate", "2024-03")
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_lexicographic_order_decides_not_arrival(env):
    raw, marts, run = env
    write_extract(raw, "calls", "calls_20240305.csv", [call("C1", "Y")])
    run()
    # a late re-delivery of the earlier day sorts first, so it does not win
    write_extract(raw, "calls", "calls_20240304.csv", [call("C1", "N")])
    run()
    assert kpi(marts, "first_contact_resolution_rate", "2024-03")["value"] == pytest.approx(1.0)


def test_identical_redelivery_changes_nothing(env):
    raw, marts, run = env
    path = write_extract(raw, "calls", "calls_20240304.csv", [call("C1", "Y")])
    run()
    before = mart(marts, "kpi_values")
    path.touch()                                 # same bytes, new time stamp
    (raw / "calls" / "calls_20240304_resend.csv").write_bytes(path.read_bytes())  # and again under a new name
    run()
    assert mart(marts, "kpi_values").equals(before)
    files = mart(marts, "dq_files")
    assert len(files) == 2 and (files["status"] == "loaded").all()


def test_a_changed_file_is_read_again_and_a_removed_file_takes_its_rows(env):
    raw, marts, run = env
    write_extract(raw, "calls", "calls_20240304.csv", [call("C1"), call("C2")])
    p2 = write_extract(raw, "calls", "calls_20240306.csv", [call("C3")])
    assert run()["offered"].sum() == 3
    write_extract(raw, "calls", "calls_20240304.csv", [call("C1")])  # re-exported with one row fewer
    assert run()["offered"].sum() == 2
    p2.unlink()
    assert run()["offered"].sum() == 1


def test_a_corrected_redelivery_releases_quarantined_rows(env):
    raw, marts, run = env
    write_extract(raw, "calls", "calls_20240304.csv", [call("C1"), call("C2", queue="CTAX")])
    run()
    q = mart(marts, "dq_quarantine")
    assert list(q["status"]) == ["open"]
    write_extract(raw, "calls", "calls_20240304_fix.csv", [call("C2", queue="council_tax")])
    run()
    q = mart(marts, "dq_quarantine")
    assert list(q["status"]) == ["released"] and list(q["corrected_by_file"]) == ["calls_20240304_fix.csv"]
    assert run()["offered"].sum() == 2


def test_full_refresh_gives_the_same_marts(env):
    raw, marts, run = env
    write_extract(raw, "calls", "calls_20240304.csv", [call("C1"), call("C2", queue="CTAX")])
    run()
    write_extract(raw, "calls", "calls_20240305.csv", [call("C1", "Y")])
    run()
    incremental = {n: mart(marts, n) for n in ("kpi_values", "dq_quarantine", "fct_calls_monthly")}
    run("--full-refresh")
    for name, df in incremental.items():
        assert mart(marts, name).equals(df), name
