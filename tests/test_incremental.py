"""A nightly run that sees one new day of files gives exactly the marts a full
rebuild from the same files gives: corrections across runs and the 7-day
repeat-call window across runs included."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main as cli_main
from tests.helpers import assert_same_marts, mart, run_pipeline


def delivered_on(name: str) -> dt.date:
    """When a demo file would land: the day after its day, or just after its month."""
    if m := re.search(r"(\d{4})(\d{2})(\d{2})", name):
        return dt.date(int(m[1]), int(m[2]), int(m[3])) + dt.timedelta(days=1)
    m = re.search(r"(\d{4})-(\d{2})", name)
    first_of_next = (dt.date(int(m[1]), int(m[2]), 28) + dt.timedelta(days=4)).replace(day=1)
    return first_of_next


def deliver(src: Path, dst: Path, until: dt.date, after: dt.date | None = None) -> int:
    n = 0
    for f in sorted(src.glob("*/*")):
        when = delivered_on(f.name)
        if when <= until and (after is None or when > after):
            (dst / f.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dst / f.parent.name / f.name)
            n += 1
    return n


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("inc") / "all"
    assert cli_main(["demo-data", "--raw-dir", str(raw), "--seed", "5", "--scale", "0.02",
                     "--start", "2025-01", "--end", "2025-03"]) == 0
    return raw


def test_nightly_runs_equal_a_full_rebuild(demo_raw, tmp_path):
    full = tmp_path / "full"
    assert run_pipeline(demo_raw, full / "marts", full / "state") == 0

    raw, marts, state = tmp_path / "inc" / "raw", tmp_path / "inc" / "marts", tmp_path / "inc" / "state"
    start = dt.date(2025, 2, 24)
    assert deliver(demo_raw, raw, start) > 0
    assert run_pipeline(raw, marts, state) == 0
    night = start
    while night < dt.date(2025, 3, 6):  # a week of nights across the month end
        nxt = night + dt.timedelta(days=1)
        deliver(demo_raw, raw, nxt, after=night)
        assert run_pipeline(raw, marts, state) == 0
        runs = mart(marts, "dq_runs")
        assert runs.iloc[0]["files_new"] <= 12  # only the night's files were read
        night = nxt
    deliver(demo_raw, raw, dt.date(2030, 1, 1), after=night)
    assert run_pipeline(raw, marts, state) == 0
    assert_same_marts(marts, full / "marts")

    # the incremental warehouse rebuilt from scratch gives the same again
    assert run_pipeline(raw, marts, state, "--full-refresh") == 0
    assert_same_marts(marts, full / "marts")


def test_demo_corrections_and_repeats_are_exercised(demo_raw, tmp_path):
    """The equality above means something only if the data crosses runs."""
    assert run_pipeline(demo_raw, tmp_path / "marts", tmp_path / "state") == 0
    con = duckdb.connect(str(tmp_path / "state" / "warehouse.duckdb"), read_only=True)
    # calls re-delivered in a later day's file (corrections across nights)
    corrected = con.execute("SELECT count(*) FROM (SELECT call_id FROM land_calls GROUP BY call_id "
                            "HAVING count(DISTINCT _file) > 1)").fetchone()[0]
    # repeat calls whose earlier call came in an earlier day's file
    across = con.execute("""
        SELECT count(*) FROM (
            SELECT caller_hash, offered_at::DATE AS d,
                   lag(offered_at::DATE) OVER (PARTITION BY caller_hash ORDER BY offered_at) AS prev_d
            FROM stg_calls WHERE caller_hash IS NOT NULL)
        WHERE prev_d < d AND d - prev_d <= 7""").fetchone()[0]
    assert corrected > 0 and across > 0
