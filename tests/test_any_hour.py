"""A suite that passes at any hour (issue 11 item 15).

A run id once held the run's start time as one run of digits: between 00:00 and
09:59 ('20261202T015547072480-...') the personal-data scan read '015547072480' as a
phone number, in every mart's run_id column, the Data Docs and the downloads. Run ids
now keep the time apart from its microseconds. These tests run the pipeline under a
faked clock at the hours that broke it (and at a year's first second), and check
every id a day can make; the shared demo run (tests/conftest.py) is always published
at 01:55:47.072480, so tests/test_no_personal_data.py meets the hardest hour whenever
the suite runs.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine

from pipelines.commands.run import new_run_id
from tests.helpers import HEADERS, run_pipeline, write_extract
from tests.test_no_personal_data import personal_data_in, published_text

NOTHING_KNOWN = {"ids": set(), "planted": set()}
TOMORROW = dt.date.today() + dt.timedelta(days=1)


def at(day: dt.date, *hms) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(*hms)).astimezone()  # local time, as the run reads it


@pytest.mark.parametrize("day", [dt.date(2026, 12, 2), dt.date(2027, 1, 1), dt.date(2028, 2, 29), TOMORROW])
def test_no_run_id_of_any_minute_reads_as_personal_data(day):
    ids = []
    for minute in range(24 * 60):
        for second, micro in ((0, 0), (5, 15547), (47, 72480), (59, 999999)):
            when = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute, seconds=second,
                                                                       microseconds=micro)
            run_id = new_run_id(when)
            assert personal_data_in(run_id, NOTHING_KNOWN) == [], run_id
            ids.append(run_id)
    assert len(set(ids)) == len(ids)
    # published runs are kept and pruned by name: names sort in the order the runs started
    stamps = [i.rsplit("-", 1)[0] for i in ids]
    assert stamps == sorted(stamps)


def small_landing_zone(raw: Path) -> None:
    def call(i: int) -> list:
        t = f"2024-03-{4 + i:02d} 09:00:00"
        return [f"N{i}", "waste", "a" * 32, t, t[:-2] + "30", t[:-5] + "05:00", "answered", "Y"]

    write_extract(raw, "calls", "calls_20240301.csv", [call(i) for i in range(5)])
    write_extract(raw, "complaints", "complaints_20240301.csv", [
        ["N1", "1", "2024-03-04", "2024-03-08", "Place", "waste", "Missed collection", "upheld", "", "E05009317"]])
    write_extract(raw, "action_plan", "action_plan_2024-03.csv", [
        ["A1", "1", "Open the hubs", "Head of Customer Service", "2024-06-30", "on_track", "2024-03-31"]])
    assert set(HEADERS) >= {"calls", "complaints", "action_plan"}


@pytest.mark.parametrize("when", [at(TOMORROW, 0, 0, 1), at(TOMORROW, 1, 55, 47, 72480),
                                  at(TOMORROW, 9, 59, 30), at(dt.date(TOMORROW.year + 1, 1, 1), 0, 30)],
                         ids=["00:00:01", "01:55:47", "09:59:30", "new-year-00:30"])
def test_a_run_at_any_hour_publishes_nothing_that_reads_as_personal_data(when, tmp_path):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    small_landing_zone(raw)
    with time_machine.travel(when, tick=True):
        assert run_pipeline(raw, marts, state) == 0
    manifest = (marts / "current" / "manifest.json").read_text()
    run_id = json.loads(manifest)["run_id"]
    assert run_id.startswith(f"{when:%Y%m%dT%H%M}")  # the clock was the faked one
    problems = {f"{m}.{c}": personal_data_in("\n".join(v.unique()), NOTHING_KNOWN)
                for (m, c), v in published_text(marts).items()}
    problems["manifest.json"] = personal_data_in(manifest, NOTHING_KNOWN)
    docs = list((marts / "current" / "data_docs").rglob("*.html"))
    assert docs
    problems |= {p.name: personal_data_in(p.read_text(encoding="utf-8"), NOTHING_KNOWN) for p in docs}
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_shared_demo_run_is_published_at_the_hardest_hour(demo_marts):
    """test_no_personal_data.py scans a run id of 01:55, whatever the hour the suite runs."""
    run_id = json.loads((demo_marts / "current" / "manifest.json").read_text())["run_id"]
    assert run_id[8:16] == "T015547."  # 01:55:47 (the clock ticks on from .072480)


@pytest.mark.parametrize("today, end", [(dt.date(2027, 1, 1), "2026-12"), (dt.date(2026, 3, 31), "2026-02"),
                                        (dt.date(2028, 3, 1), "2028-02")])
def test_demo_data_ends_with_the_last_full_month_whatever_the_date(today, end):
    """`make run`'s demo data (no --end) stops at the month before today's, on any date."""
    from tools.demo.calendar import default_end
    from tools.demo.cli import _last_full_month

    with time_machine.travel(at(today, 0, 0, 1), tick=False):
        assert default_end() == end and _last_full_month() == end
