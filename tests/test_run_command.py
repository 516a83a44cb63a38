"""The `run` command as an operator meets it: exit codes, the lock, failures that
publish nothing, and a run killed at random points (SIGKILL)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.lock import PipelineLock
from pipelines.settings import REFERENCE_DIR
from tests.helpers import assert_same_marts, run_pipeline, write_extract

REPO = Path(__file__).resolve().parent.parent


def make_days(raw: Path, days: int, calls_per_day: int = 300) -> None:
    rng = random.Random(1)
    for d in range(1, days + 1):
        rows = []
        for i in range(calls_per_day):
            t = f"2024-03-{d:02d} {9 + i % 8:02d}:{i % 60:02d}:00"
            answered = rng.random() < 0.9
            ans = t[:-2] + "30" if answered else ""
            rows.append([f"C{d}-{i}", rng.choice(["waste", "council_tax", "parking"]),
                         f"{rng.randrange(400):032x}", t, ans, t[:-5] + "59:59", "answered" if answered else "abandoned",
                         rng.choice(["Y", "N", ""]) if answered else ""])
        write_extract(raw, "calls", f"calls_202403{d:02d}.csv", rows)
        write_extract(raw, "contacts", f"contacts_202403{d:02d}.csv", [
            [f"K{d}-{i}", rng.choice(["online", "email"]), "waste", "", f"2024-03-{d:02d} 12:00:00", "Y", "N", "", ""]
            for i in range(calls_per_day // 3)])


def cli(raw: Path, marts: Path, state: Path, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "run", "--raw-dir", str(raw), "--marts-dir", str(marts),
         "--state-dir", str(state)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, **kw)


def assert_current_is_whole(marts: Path) -> str | None:
    current = marts / "current"
    if not current.exists():
        return None
    manifest = json.loads((current / "manifest.json").read_text())
    assert current.resolve().name == manifest["run_id"]
    assert sorted(p.stem for p in current.glob("*.parquet")) == sorted(manifest["row_counts"])
    con = duckdb.connect()
    for name, rows in manifest["row_counts"].items():
        # read every value, not just the footer's count: a torn file fails here
        df = con.execute(f"SELECT * FROM read_parquet('{current / (name + '.parquet')}')").df()
        assert len(df) == rows, name
    return manifest["run_id"]


def test_missing_landing_zone_fails_clearly(tmp_path, capsys):
    assert run_pipeline(tmp_path / "nope", tmp_path / "marts", tmp_path / "state") == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "marts" / "current").exists()


def test_a_second_run_says_a_run_is_in_progress(tmp_path, capsys):
    make_days(tmp_path / "raw", 1, 10)
    with PipelineLock(tmp_path / "state"):
        code = run_pipeline(tmp_path / "raw", tmp_path / "marts", tmp_path / "state")
    assert code == 75
    err = capsys.readouterr().err
    assert "already in progress" in err and f"pid {os.getpid()}" in err
    assert not (tmp_path / "marts").exists()
    assert run_pipeline(tmp_path / "raw", tmp_path / "marts", tmp_path / "state") == 0  # the lock is free again


def test_two_runs_started_together_one_runs_the_other_exits(tmp_path):
    raw = tmp_path / "raw"
    make_days(raw, 3, 100)
    procs = [cli(raw, tmp_path / "marts", tmp_path / "state") for _ in range(2)]
    results = sorted((p.wait(timeout=300), p.stderr.read()) for p in procs)
    assert [code for code, _ in results] == [0, 75]
    assert "A pipeline run is already in progress (pid " in results[1][1]
    assert "This run has stopped without changing anything" in results[1][1]
    assert_current_is_whole(tmp_path / "marts")
    # nothing corrupted: the same marts as one run alone on a fresh state
    assert run_pipeline(raw, tmp_path / "alone", tmp_path / "alone_state") == 0
    assert_same_marts(tmp_path / "marts", tmp_path / "alone")


def test_a_failed_run_publishes_nothing_and_keeps_current(tmp_path):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    make_days(raw, 1, 10)
    assert run_pipeline(raw, marts, state) == 0
    before = assert_current_is_whole(marts)
    bad_ref = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, bad_ref)
    (bad_ref / "kpi_catalogue.yaml").write_text("kpis: [this is: not, valid")
    make_days(raw, 2, 10)
    p = cli(raw, marts, state, env={"CX_REFERENCE_DIR": str(bad_ref)})
    assert p.wait(timeout=300) == 1
    assert "nothing was published" in p.stderr.read()
    assert assert_current_is_whole(marts) == before
    assert run_pipeline(raw, marts, state) == 0  # the next good run recovers
    assert assert_current_is_whole(marts) != before


@pytest.mark.slow
def test_killed_at_random_points_current_stays_whole_and_next_run_matches_a_clean_run(tmp_path):
    """Issue 6: SIGKILL at 20 random points of a run; each time MARTS/current/ stays
    whole and readable, and the next run publishes what a clean run publishes."""
    raw = tmp_path / "raw"
    make_days(raw, 12)
    # a clean run, timed, to place the kills across a whole run
    started = time.monotonic()
    assert cli(raw, tmp_path / "first", tmp_path / "first_state").wait(timeout=600) == 0
    duration = time.monotonic() - started
    marts, state = tmp_path / "marts", tmp_path / "state"
    rng = random.Random(20)
    killed, published = 0, set()
    for i in range(20):
        # new deliveries keep arriving, so every run has real work to do
        if i % 5 == 0:
            make_days(raw, 12 + i // 5 + 1)
        p = cli(raw, marts, state)
        # within the first 60% of a first run's time: a later, incremental run does less
        # work, and a kill after it ended would test nothing
        time.sleep(rng.uniform(0.05, 0.6) * duration)
        if p.poll() is None:
            killed += 1
        p.send_signal(signal.SIGKILL)
        p.wait()
        run_id = assert_current_is_whole(marts)
        if run_id:
            published.add(run_id)
    assert killed >= 12, f"only {killed} of 20 runs were still running when killed"
    assert run_pipeline(raw, marts, state) == 0
    assert_current_is_whole(marts)
    assert run_pipeline(raw, tmp_path / "clean", tmp_path / "clean_state") == 0  # from nothing
    assert_same_marts(marts, tmp_path / "clean")
    assert not list((marts / "runs").glob(".tmp-*")), "leftovers of killed runs are cleaned"
