"""A nightly run that sees one new day of files gives exactly the marts a full
rebuild from the same files gives: corrections across runs and the 7-day
repeat-call window across runs included, and corrections to a month two years
back (a changed file, a call moved across a month end, a removed file), while
the incremental models rebuild only the months those touch."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main as cli_main
from tests.helpers import HEADERS, assert_same_marts, mart, run_pipeline


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
    # every file was read again with the same rows: the big models are carried over
    refresh = manifest(marts)["model_refresh"]
    for model in ("stg_calls", "stg_contacts"):
        assert refresh[model].startswith("carried over") and "read again" in refresh[model], refresh[model]
    for model in ("int_calls", "int_contacts_monthly", "int_kpi_calls", "int_calls_daily"):
        assert refresh[model].startswith("carried over"), refresh[model]

    # an operator's --rebuild-models: every model from scratch, the same marts
    assert run_pipeline(raw, marts, state, "--rebuild-models") == 0
    assert_same_marts(marts, full / "marts")
    refresh = manifest(marts)["model_refresh"]
    assert refresh["stg_calls"] == "rebuilt in full (first build)"
    assert refresh["kpi_values"] == "rebuilt" and refresh["int_calendar"] == "rebuilt"


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


def manifest(marts: Path) -> dict:
    return json.loads((marts / "current" / "manifest.json").read_text())


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])


def clean_files(raw: Path, demo: Path, source: str, month: str) -> list[Path]:
    """The demo's files of one month with the contract's header and no planted fault."""
    faults = json.loads((demo / "_demo_faults.json").read_text())
    faulty = {f["file"] for f in faults if f["source"] == source}
    return [p for p in sorted((raw / source).glob(f"*_{month}*.csv"))
            if p.name not in faulty and read_rows(p)[0] == HEADERS[source]]


def delivered_once(raw: Path, source: str) -> set[str]:
    """Keys that only one file delivers (no correction elsewhere)."""
    seen = Counter(r[0] for p in (raw / source).glob("*.csv") for r in read_rows(p)[1])
    return {k for k, n in seen.items() if n == 1}


def shift(ts: str, days: int) -> str:
    return "" if not ts else str(dt.datetime.fromisoformat(ts) + dt.timedelta(days=days))


@pytest.fixture(scope="module")
def history_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("history") / "all"
    assert cli_main(["demo-data", "--raw-dir", str(raw), "--seed", "7", "--scale", "0.01",
                     "--start", "2023-03", "--end", "2025-03"]) == 0
    return raw


def test_corrections_two_years_back_rebuild_only_their_months(history_raw, tmp_path):
    raw, marts, state = tmp_path / "inc" / "raw", tmp_path / "inc" / "marts", tmp_path / "inc" / "state"
    last_day = max(delivered_on(p.name) for p in history_raw.glob("calls/*.csv"))
    assert last_day.year == 2025
    deliver(history_raw, raw, last_day - dt.timedelta(days=1))
    assert run_pipeline(raw, marts, state) == 0
    before = mart(marts, "fct_calls_monthly").groupby("period")["offered"].sum()
    contacts_before = mart(marts, "fct_contacts_monthly", "channel <> 'phone'").groupby("period")["rows_started"].sum()

    # the next night: the last day's files, and corrections to March and April 2023
    deliver(history_raw, raw, dt.date(2030, 1, 1), after=last_day - dt.timedelta(days=1))
    once = delivered_once(raw, "calls")
    march, april, june = (clean_files(raw, history_raw, "calls", m) for m in ("202303", "202304", "202306"))
    changed = march[-1]                        # the last day of March, re-exported
    header, rows = read_rows(changed)
    _, april_rows = read_rows(april[0])
    _, june_rows = read_rows(june[0])
    single = [r for r in rows if r[0] in once]
    assert len(single) > 3 and april_rows[0][2] and june_rows[0][0] in once
    dropped = {single[0][0], single[1][0]}
    rows = [r for r in rows if r[0] not in dropped]   # two calls fewer
    i = next(i for i, r in enumerate(rows) if r[6] == "answered")
    rows[i][7] = "N" if rows[i][7] == "Y" else "Y"   # the adviser's wrap-up corrected
    rows[-1][2] = april_rows[0][2]             # the caller of an early April call: a repeat across the month end
    write_rows(changed, header, rows)
    moved = list(june_rows[0])                 # a June call was really made on 30 March
    back = (dt.datetime.fromisoformat(moved[3]).date() - dt.date(2023, 3, 30)).days
    moved[3:6] = [shift(t, -back) for t in moved[3:6]]
    write_rows(raw / "calls" / f"calls_{last_day:%Y%m%d}_corrections.csv", header, [moved])
    removed = clean_files(raw, history_raw, "contacts", "202303")[0]
    removed_rows = len(read_rows(removed)[1])
    removed.unlink()                           # a contacts file withdrawn
    c_changed = clean_files(raw, history_raw, "contacts", "202304")[-1]
    c_header, c_rows = read_rows(c_changed)
    c_rows.append([c_rows[0][0] + "X", *c_rows[0][1:]])   # a contact added to an April file
    write_rows(c_changed, c_header, c_rows)

    assert run_pipeline(raw, marts, state) == 0
    refresh = manifest(marts)["model_refresh"]
    for model in ("stg_calls", "stg_contacts"):
        assert refresh[model].startswith("merged"), refresh[model]
    # the months the changes touch, and the next, which the repeat-call window reaches
    assert refresh["int_calls"] == "rebuilt 2023-03..2023-04, 2023-06..2023-07, 2025-03..2025-04", \
        refresh["int_calls"]
    for model in ("int_contacts_monthly", "int_kpi_calls", "int_calls_daily"):
        assert refresh[model].startswith("rebuilt 2023-03"), refresh[model]

    after = mart(marts, "fct_calls_monthly").groupby("period")["offered"].sum()
    assert after["2023-03"] == before["2023-03"] - 2 + 1
    assert after["2023-06"] == before["2023-06"] - 1 and after["2023-04"] == before["2023-04"]
    contacts_after = mart(marts, "fct_contacts_monthly", "channel <> 'phone'").groupby("period")["rows_started"].sum()
    assert contacts_after["2023-03"] == contacts_before["2023-03"] - removed_rows
    assert contacts_after["2023-04"] == contacts_before["2023-04"] + 1

    full = tmp_path / "full"
    assert run_pipeline(raw, full / "marts", full / "state") == 0
    assert_same_marts(marts, full / "marts")
