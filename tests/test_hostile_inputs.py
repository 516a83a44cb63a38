"""Hostile extracts (issue 6): each one gets a clear, named outcome and costs nothing else.

One landing zone holds a good delivery per source and, beside it, one hostile
file per case; the pipeline runs over it once (as it would on a bad night) and
each test reads what became of its file in the published data-quality marts:
refused whole with a named reason, or only the bad rows quarantined with their
reason while every good row of that file and of the other files is published.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import random
from pathlib import Path

import duckdb
import pytest

from pipelines import warehouse
from pipelines.contract import load_sources
from pipelines.ingest import ingest_source
from pipelines.readers import KEEP_RAW_CHARS, PARTIAL_LAST_LINE
from pipelines.reference import Reference
from pipelines.safe_csv import safe_csv_bytes
from tests.helpers import HEADERS, mart, run_pipeline, write_extract

pytestmark = pytest.mark.xdist_group("hostile")  # one worker, one pipeline run

FIVE_MB = 5 * 1024 * 1024


def call(call_id: str, day: int = 4, hour: int = 9, caller: str = "a" * 32, **over) -> list:
    t = f"2024-03-{day:02d} {hour:02d}:00:00"
    row = {"call_id": call_id, "queue": "waste", "caller_hash": caller, "offered_at": t,
           "answered_at": t[:-2] + "30", "ended_at": t[:-5] + "05:00", "outcome": "answered",
           "first_contact_resolved": "Y"}
    row.update(over)
    return [row[c] for c in HEADERS["calls"]]


def csv_line(values: list) -> str:
    return ",".join(values)


def complaint(ref: str, received: str = "2024-03-04", category: str = "Missed collection") -> list:
    return [ref, "1", received, "2024-03-08", "Place", "waste", category, "upheld", "", "E05009317"]


# Every hostile file, what it holds, and the outcome the contract gives it:
#   refused: a phrase of the reason;  or
#   loaded:  (rows loaded, {file row number: phrase of the quarantine reason}).
CASES: dict[str, dict] = {}


def case(name: str, source: str, file_name: str, **outcome):
    CASES[name] = {"source": source, "file": file_name, **outcome}


case("empty file", "calls", "h01_empty.csv", refused="the file is empty")
case("header only", "calls", "h02_header_only.csv", loaded=(0, {}), note="header but no data rows")
case("binary garbage", "calls", "h03_binary.csv", refused="the file is binary, not CSV text")
case("gzip sent as csv", "calls", "h03b_gzipped.csv", refused="the file is binary, not CSV text")
case("wrong delimiter", "calls", "h04_semicolons.csv",
     refused="the header looks delimited by ';', tab or '|': the contract requires commas")
case("Windows-1252 pound sign", "complaints", "h05_cp1252.csv",
     loaded=(2, {2: "not valid UTF-8 (was the file saved as Windows-1252? re-export as UTF-8)"}))
case("byte-order mark", "calls", "h06_bom.csv", loaded=(2, {}))
case("CRLF line ends", "calls", "h07_crlf.csv", loaded=(3, {}))
case("unbalanced quotes", "calls", "h08_open_quote.csv",
     loaded=(3, {2: "a quoted field is not closed (unbalanced quotes)"}))
case("5 MB single record", "calls", "h09_5mb_record.csv",
     loaded=(2, {2: "the record has fewer fields than the header"}))
case("5 MB single line file", "calls", "h09b_5mb_one_line.csv",
     refused="the first line is over 1,000,000 bytes long, so it is not a header row")
case("duplicated header rows", "calls", "h10_two_headers.csv",
     loaded=(3, {3: "the header row is repeated inside the file"}))
case("formula in a text field", "action_plan", "h11_formula.csv", loaded=(2, {}))
case("renamed column", "calls", "h12_renamed.csv",
     refused="missing required column(s): caller_hash (the file has column(s) the contract does not name: "
             "'caller_number')")
case("missing column", "calls", "h12b_missing.csv", refused="missing required column(s): outcome")
case("huge number (money)", "channel_costs", "h13_huge.csv",
     loaded=(1, {1: "cost_gbp: '1e400' is not an amount in pounds",
                 2: "cost_gbp: '99999999999999999999.00' is not an amount in pounds"}))
case("huge number (integer)", "workforce", "h13b_huge.csv",
     loaded=(1, {2: "headcount: '99999999999999999999' is not a whole number"}))
case("dates as DD/MM/YYYY", "complaints", "h14_ddmmyyyy.csv",
     loaded=(1, {1: "received_on: '31/03/2024' is not a date YYYY-MM-DD"}))
case("a future date", "calls", "h15_future.csv",
     loaded=(2, {2: "offered_at is after the run started (a date in the future"}))
case("contact details in a free-text field", "complaints", "h17_phone_in_category.csv",
     loaded=(1, {1: "category holds an e-mail address or phone number"}))
case("still being written (partial last line)", "calls", "h16_partial.csv",
     loaded=(2, {3: PARTIAL_LAST_LINE}))

GOOD_CALLS = 6          # calls/calls_20240301.csv
GOOD_COMPLAINTS = 3     # complaints/complaints_20240301.csv


def build_landing_zone(raw: Path) -> None:
    # good deliveries: nothing below may cost them a row
    write_extract(raw, "calls", "calls_20240301.csv", [call(f"G{i}", day=1 + i) for i in range(GOOD_CALLS)])
    write_extract(raw, "complaints", "complaints_20240301.csv",
                  [complaint(f"GC{i}") for i in range(GOOD_COMPLAINTS)])
    write_extract(raw, "channel_costs", "costs_2024-03.csv", [["2024-03", "phone", "1200.50"]])
    write_extract(raw, "workforce", "workforce_2024-03.csv", [["2024-03", "Place", "250"]])

    calls, header = raw / "calls", csv_line(HEADERS["calls"])
    (calls / "h01_empty.csv").write_bytes(b"")
    write_extract(raw, "calls", "h02_header_only.csv", [])
    (calls / "h03_binary.csv").write_bytes(random.Random(3).randbytes(4096))
    (calls / "h03b_gzipped.csv").write_bytes(gzip.compress((header + "\n" + csv_line(call("Z1")) + "\n").encode()))
    (calls / "h04_semicolons.csv").write_text(header.replace(",", ";") + "\n" + ";".join(call("Z2")) + "\n")

    lines = [",".join(HEADERS["complaints"]), csv_line(complaint("W1")),
             csv_line(complaint("W2", category="Refund of £50 not paid")), csv_line(complaint("W3"))]
    (raw / "complaints" / "h05_cp1252.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    (calls / "h06_bom.csv").write_bytes(b"\xef\xbb\xbf" + (
        "\n".join([header, csv_line(call("B1")), csv_line(call("B2"))]) + "\n").encode())
    write_extract(raw, "calls", "h07_crlf.csv", [call("R1"), call("R2"), call("R3")], newline="\r\n")

    open_quote = call("Q2", queue='"waste')
    (calls / "h08_open_quote.csv").write_text("\n".join(
        [header, csv_line(call("Q1")), csv_line(open_quote), csv_line(call("Q3")), csv_line(call("Q4"))]) + "\n")

    (calls / "h09_5mb_record.csv").write_text("\n".join(
        [header, csv_line(call("L1")), "x" * FIVE_MB, csv_line(call("L3"))]) + "\n")
    (calls / "h09b_5mb_one_line.csv").write_text("y" * FIVE_MB)

    (calls / "h10_two_headers.csv").write_text("\n".join(  # two extracts pasted together
        [header, csv_line(call("D1")), csv_line(call("D2")), header, csv_line(call("D4"))]) + "\n")

    write_extract(raw, "action_plan", "h11_formula.csv", [
        ["A1", "1", '=HYPERLINK("http://example.com/x","Click me")', "Head of Customer Services", "2025-03-31",
         "on_track", "2024-03-31"],
        ["A2", "2", "+44 is not a phone number, -5 is not a formula", "Director of Customer Services",
         "2025-06-30", "at_risk", "2024-03-31"]])

    write_extract(raw, "calls", "h12_renamed.csv", [call("N1")],
                  header=[("caller_number" if c == "caller_hash" else c) for c in HEADERS["calls"]])
    write_extract(raw, "calls", "h12b_missing.csv", [call("M1")[:-2]],
                  header=[c for c in HEADERS["calls"] if c not in ("outcome", "first_contact_resolved")]
                  + ["first_contact_resolved"])

    write_extract(raw, "channel_costs", "h13_huge.csv", [
        ["2024-04", "phone", "1e400"], ["2024-04", "email", "99999999999999999999.00"],
        ["2024-04", "online", "310.25"]])
    write_extract(raw, "workforce", "h13b_huge.csv", [["2024-04", "Place", "251"],
                                                      ["2024-04", "Resources", "99999999999999999999"]])

    write_extract(raw, "complaints", "h14_ddmmyyyy.csv", [complaint("DM1", received="31/03/2024"),
                                                          complaint("DM2")])

    write_extract(raw, "complaints", "h17_phone_in_category.csv", [
        complaint("PH1", category="Call Mrs X back on 07700 900123"), complaint("PH2")])

    write_extract(raw, "calls", "h15_future.csv", [
        call("F1"), call("F2", offered_at="2099-03-04 09:00:00", answered_at="2099-03-04 09:00:30",
                         ended_at="2099-03-04 09:05:00"), call("F3")])

    partial = csv_line(call("P3"))[:40]  # the writer stopped mid-record
    (calls / "h16_partial.csv").write_text("\n".join([header, csv_line(call("P1")), csv_line(call("P2")), partial]))


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory):
    """(exit code, raw, marts, state) of one run over the hostile landing zone,
    built once even if xdist interleaves these tests with others."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # one copy for all workers, as conftest.demo_env
        root = root.parent
    root = root / "hostile"
    root.mkdir(exist_ok=True)
    raw, marts, state = root / "raw", root / "marts", root / "state"
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "exit_code").exists():
            build_landing_zone(raw)
            (root / "exit_code").write_text(str(run_pipeline(raw, marts, state)))
    return int((root / "exit_code").read_text()), raw, marts, state


def test_a_night_of_hostile_files_still_publishes(hostile_run):
    code, raw, marts, _ = hostile_run
    assert code == 0  # published: refusals and quarantined rows do not stop a run
    manifest = json.loads((marts / "current" / "manifest.json").read_text())
    refused_cases = {c["file"] for c in CASES.values() if "refused" in c}
    assert {r["file"] for r in manifest["files_refused"]} == refused_cases


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_outcome(hostile_run, name):
    _, raw, marts, _ = hostile_run
    c = CASES[name]
    files = mart(marts, "dq_files", "source = ? AND file_name = ?", [c["source"], c["file"]])
    assert len(files) == 1, f"{c['file']} is listed once in dq_files"
    f = files.iloc[0]
    if "refused" in c:
        assert f["status"] == "refused"
        assert c["refused"] in f["reason"], f["reason"]
        refused = mart(marts, "dq_refused_files", "file_name = ?", [c["file"]])
        assert refused["reason"].tolist() == [f["reason"]]
        assert (raw / c["source"] / c["file"]).exists(), "a refused file stays in the landing zone"
        assert len(f["reason"]) < 400, "the reason is a sentence, not a dump of the file"
        return
    loaded, quarantined = c["loaded"]
    assert f["status"] == "loaded" and f["reason"] is None
    assert (f["rows_loaded"], f["rows_quarantined"]) == (loaded, len(quarantined))
    assert f["rows_read"] == loaded + len(quarantined)
    q = mart(marts, "dq_quarantine", "source = ? AND file_name = ?", [c["source"], c["file"]])
    by_row = q.groupby("row_number")["reason"].apply(" | ".join).to_dict()
    assert sorted(by_row) == sorted(quarantined)
    for row, phrase in quarantined.items():
        assert phrase in by_row[row], by_row[row]
    if "note" in c:
        assert c["note"] in f["notes"]


def warehouse_rows(state: Path, sql: str) -> list:
    con = duckdb.connect(str(state / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_good_row_is_published(hostile_run):
    """The good deliveries and the good rows of hostile files all reach the marts."""
    _, _, marts, state = hostile_run
    expected_calls = GOOD_CALLS + sum(c["loaded"][0] for c in CASES.values()
                                      if c["source"] == "calls" and "loaded" in c)
    offered = mart(marts, "kpi_values", "kpi_id = 'calls_offered' AND breakdown = ''")
    assert offered["value"].sum() == expected_calls
    ids = {r[0] for r in warehouse_rows(state, "SELECT call_id FROM land_calls")}
    assert ids == ({f"G{i}" for i in range(GOOD_CALLS)} | {"B1", "B2", "R1", "R2", "R3", "Q1", "Q3", "Q4",
                                                           "L1", "L3", "D1", "D2", "D4", "F1", "F3", "P1", "P2"})
    received = mart(marts, "kpi_values", "kpi_id = 'complaints_received' AND breakdown = '' AND period = '2024-03'")
    assert received["value"].tolist() == [GOOD_COMPLAINTS + 2 + 1 + 1]  # W1, W3, DM2 and PH2 beside the good file
    latest = mart(marts, "fct_action_plan_latest")
    assert sorted(latest["action_id"]) == ["A1", "A2"]


def test_quarantined_records_are_kept_for_the_analyst_but_not_5_mb_of_them(hostile_run):
    _, _, marts, _ = hostile_run
    q = mart(marts, "dq_quarantine", "file_name = 'h09_5mb_record.csv'")
    record = json.loads(q["record"].iloc[0])["raw_line"]
    assert record.startswith("x" * 100) and len(record) < KEEP_RAW_CHARS + 100
    assert f"cut: {FIVE_MB:,} characters in all" in record
    cp = mart(marts, "dq_quarantine", "file_name = 'h05_cp1252.csv'")
    assert "Refund of" in cp["record"].iloc[0]  # the analyst can see which record it was
    phone = mart(marts, "dq_quarantine", "file_name = 'h17_phone_in_category.csv'")
    assert "07700" not in phone["record"].iloc[0]  # but not the personal data in it


def test_a_formula_in_a_text_field_is_kept_as_text_and_neutralised_in_downloads(hostile_run):
    _, _, marts, _ = hostile_run
    latest = mart(marts, "fct_action_plan_latest").sort_values("action_id")
    assert latest["title"].iloc[0] == '=HYPERLINK("http://example.com/x","Click me")'  # the data is not altered
    text = safe_csv_bytes(latest).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "'+44 is not a phone number" in text


def test_a_partial_file_is_read_whole_once_complete(tmp_path):
    """The writer finishes: the next run reads the completed file and the cut line leaves quarantine."""
    raw = tmp_path / "raw"
    (raw / "calls").mkdir(parents=True)
    path = raw / "calls" / "calls_20240304.csv"
    full = [csv_line(HEADERS["calls"])] + [csv_line(call(f"P{i}")) for i in (1, 2, 3)]
    path.write_text("\n".join(full)[:-60])
    con = warehouse.connect(tmp_path / "state")
    warehouse.ensure_schema(con)

    def ingest():
        ingest_source(con, load_sources()["calls"], raw, Reference(), "run", log=lambda *a: None)
        return (con.execute("SELECT rows_loaded, rows_quarantined FROM ingest_files").fetchone(),
                con.execute("SELECT row_number, reason FROM quarantine").fetchall())

    assert ingest() == ((2, 1), [(3, PARTIAL_LAST_LINE)])
    path.write_text("\n".join(full) + "\n")
    assert ingest() == ((3, 0), [])
    assert sorted(r[0] for r in con.execute("SELECT call_id FROM land_calls").fetchall()) == ["P1", "P2", "P3"]
