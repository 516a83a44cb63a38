"""Reading extracts (pipelines/readers.py, typing_sql.py): what the landing zone accepts,
refuses whole, or keeps as quarantined rows, each with a clear reason."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from pipelines import warehouse
from pipelines.contract import load_sources
from pipelines.ingest import ingest_source
from pipelines.reference import Reference
from tests.helpers import HASH_A, HEADERS, write_extract

GOOD_CALL = ["C1", "waste", HASH_A, "2024-03-04 09:00:00", "2024-03-04 09:00:30", "2024-03-04 09:05:00", "answered", "Y"]


def ingest(tmp_path, source="calls"):
    con = warehouse.connect(tmp_path / "state")
    warehouse.ensure_schema(con)
    report = ingest_source(con, load_sources()[source], tmp_path / "raw", Reference(), "test-run", log=lambda *a: None)
    return con, report


def files(con):
    return {r[0]: r[1:] for r in con.execute(
        "SELECT file_name, status, reason, rows_read, rows_loaded, rows_quarantined, unknown_columns FROM ingest_files"
    ).fetchall()}


def quarantine(con):
    return con.execute("SELECT file_name, row_number, check_name, reason FROM quarantine ORDER BY row_number").fetchall()


def test_header_names_are_case_and_space_insensitive_in_any_order(tmp_path):
    header = [" OUTCOME ", "Call_ID", "queue", "caller_hash", "offered_at", "answered_at", "ended_at",
              "first_contact_resolved", "Extra Notes"]
    row = ["answered", "C1", "waste", HASH_A, "2024-03-04 09:00:00", "2024-03-04 09:00:30", "2024-03-04 09:05:00", "Y", "x"]
    write_extract(tmp_path / "raw", "calls", "a.csv", [row], header=header)
    con, report = ingest(tmp_path)
    status, reason, read, loaded, quarantined, unknown = files(con)["a.csv"]
    assert (status, loaded, quarantined) == ("loaded", 1, 0)
    assert unknown == ["Extra Notes"]  # reported and ignored
    assert con.execute("SELECT outcome, call_id FROM land_calls").fetchone() == ("answered", "C1")


def test_bom_and_crlf_are_accepted(tmp_path):
    path = write_extract(tmp_path / "raw", "calls", "a.csv", [GOOD_CALL], newline="\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    con, _ = ingest(tmp_path)
    assert files(con)["a.csv"][:4] == ("loaded", None, 1, 1)
    assert con.execute("SELECT first_contact_resolved FROM land_calls").fetchone() == (True,)


@pytest.mark.parametrize("content, reason", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02\x89PNG\x00\x00garbage", "binary"),
    (b"call_id;queue;caller_hash;offered_at;answered_at;ended_at;outcome;first_contact_resolved\nC1;waste\n",
     "delimited by ';'"),
    (b"call_id,queue,caller_hash,offered_at,answered_at,ended_at,first_contact_resolved\nC1,waste,,,,,\n",
     "missing required column(s): outcome"),
    (b"call_id,queue,queue,caller_hash,offered_at,answered_at,ended_at,outcome,first_contact_resolved\n",
     "appears twice"),
])
def test_unreadable_files_are_refused_whole_with_a_reason(tmp_path, content, reason):
    (tmp_path / "raw" / "calls").mkdir(parents=True)
    (tmp_path / "raw" / "calls" / "bad.csv").write_bytes(content)
    con, report = ingest(tmp_path)
    status, why, *_ = files(con)["bad.csv"]
    assert status == "refused" and reason in why
    assert report.files_refused == 1
    assert con.execute("SELECT count(*) FROM land_calls").fetchone() == (0,)


def test_header_only_file_is_an_empty_delivery(tmp_path):
    write_extract(tmp_path / "raw", "calls", "a.csv", [])
    con, _ = ingest(tmp_path)
    assert files(con)["a.csv"][:4] == ("loaded", None, 0, 0)
    assert con.execute("SELECT notes FROM ingest_files").fetchone()[0] == ["the file has a header but no data rows"]


def test_records_that_cannot_be_split_are_quarantined_with_their_row_number(tmp_path):
    raw = tmp_path / "raw" / "calls"
    raw.mkdir(parents=True)
    lines = [",".join(HEADERS["calls"]), ",".join(GOOD_CALL),
             "C2,waste,only-three-fields",                                      # row 2: too few fields
             ",".join(GOOD_CALL).replace("C1", "C3") + ",surplus",              # row 3: too many
             "C4,waste,\xa3".encode("cp1252").decode("latin-1") + ",2024-03-04 09:00:00,,2024-03-04 09:01:00,abandoned,",
             ",".join(GOOD_CALL).replace("C1", "C5")]
    data = "\n".join(lines).encode("latin-1") + b"\n"
    (raw / "a.csv").write_bytes(data)
    con, _ = ingest(tmp_path)
    q = quarantine(con)
    assert [(r[1], r[2]) for r in q] == [(2, "read"), (3, "read"), (4, "read")]
    assert "fewer fields" in q[0][3] and "more fields" in q[1][3] and "UTF-8" in q[2][3]
    assert sorted(r[0] for r in con.execute("SELECT call_id FROM land_calls").fetchall()) == ["C1", "C5"]
    assert files(con)["a.csv"][2:5] == (5, 2, 3)


def test_values_must_match_the_contract_formats_exactly(tmp_path):
    bad = [
        ("C2", 3, "31/03/2024 09:15"),              # DD/MM/YYYY
        ("C3", 3, "2024-03-04T09:00:00"),           # ISO 'T'
        ("C4", 3, "2024-3-4 09:00:00"),             # missing leading zeros
        ("C5", 7, "maybe"),                          # not a boolean
    ]
    rows = [GOOD_CALL]
    for call_id, col, text in bad:
        r = list(GOOD_CALL)
        r[0], r[col] = call_id, text
        rows.append(r)
    write_extract(tmp_path / "raw", "calls", "a.csv", rows)
    con, _ = ingest(tmp_path)
    q = quarantine(con)
    assert [r[2] for r in q] == ["parse"] * 4
    assert "offered_at: '31/03/2024 09:15' is not a timestamp YYYY-MM-DD HH:MM:SS" in q[0][3]
    assert "first_contact_resolved: 'maybe' is not Y or N" in q[3][3]


def test_repeated_header_row_is_named_as_such(tmp_path):
    write_extract(tmp_path / "raw", "calls", "a.csv", [GOOD_CALL, HEADERS["calls"]])
    con, _ = ingest(tmp_path)
    assert "the header row is repeated inside the file" in quarantine(con)[0][3]


@pytest.mark.parametrize("text, ok", [("true", True), ("FALSE", True), ("1", True), ("0", True), ("yes", False)])
def test_booleans_accept_the_contract_spellings(tmp_path, text, ok):
    r = list(GOOD_CALL)
    r[7] = text
    write_extract(tmp_path / "raw", "calls", "a.csv", [r])
    con, _ = ingest(tmp_path)
    assert (con.execute("SELECT count(*) FROM land_calls").fetchone()[0] == 1) is ok


def test_huge_numbers_and_infinity_are_not_money(tmp_path):
    rows = [["2024-03", "phone", "1e400"], ["2024-03", "email", "inf"], ["2024-03", "online", "99999999999999999999"],
            ["2024-03", "webchat", "12.50"]]
    write_extract(tmp_path / "raw", "channel_costs", "costs.csv", rows)
    con, _ = ingest(tmp_path, "channel_costs")
    assert con.execute("SELECT channel, cost_gbp FROM land_channel_costs").fetchall() == [("webchat", 12.5)]
    assert len(quarantine(con)) == 3


def test_xlsx_with_excel_typed_cells(tmp_path):
    folder = tmp_path / "raw" / "channel_costs"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Month", "Channel", "Cost_GBP"])
    ws.append([dt.datetime(2025, 4, 1), "phone", 1234.5])   # Excel turned the month into a date
    ws.append(["2025-04", "online", 100])                     # a whole number as a number
    ws.append([None, None, None])                             # an empty row is not a record
    ws.append(["2025-04", "email", -5])                       # a bad value
    wb.save(folder / "channel_costs_2025-04.xlsx")
    con, _ = ingest(tmp_path, "channel_costs")
    assert con.execute("SELECT strftime(month, '%Y-%m'), channel, cost_gbp FROM land_channel_costs ORDER BY channel"
                       ).fetchall() == [("2025-04", "online", 100), ("2025-04", "phone", 1234.5)]
    assert [(r[1], r[2]) for r in quarantine(con)] == [(4, "cost_not_negative")]


def test_xlsx_is_refused_for_a_csv_only_source(tmp_path):
    folder = tmp_path / "raw" / "calls"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.active.append(HEADERS["calls"])
    wb.save(folder / "calls.xlsx")
    con, _ = ingest(tmp_path)
    assert "must be CSV" in files(con)["calls.xlsx"][1]


def test_files_still_being_written_are_skipped_and_reported(tmp_path):
    write_extract(tmp_path / "raw", "calls", "calls_20240304.csv.part", [GOOD_CALL])
    write_extract(tmp_path / "raw", "calls", "~$calls.csv", [GOOD_CALL])
    con, report = ingest(tmp_path)
    assert report.files_seen == 0
    assert sorted(report.skipped_files) == ["calls_20240304.csv.part", "~$calls.csv"]


def test_an_open_quote_in_a_batch_of_files_costs_only_its_line(tmp_path):
    """DuckDB 2.0 reading five or more files at once drops an open quote's reject and
    the rest of that file without a word; the reader notices the missing lines."""
    for d in range(1, 6):
        write_extract(tmp_path / "raw", "calls", f"calls_2024030{d}.csv", [[f"C{d}"] + GOOD_CALL[1:]])
    header, good = ",".join(HEADERS["calls"]), ",".join(GOOD_CALL)
    (tmp_path / "raw" / "calls" / "calls_20240306.csv").write_text("\n".join([
        header, good.replace("C1", "Q1"), good.replace("C1", "Q2").replace("waste", '"waste'),
        good.replace("C1", "Q3"), good.replace("C1", "Q4")]) + "\n")
    con, _ = ingest(tmp_path)
    assert files(con)["calls_20240306.csv"][2:5] == (4, 3, 1)
    assert [(r[1], r[3]) for r in quarantine(con)] == [(2, "a quoted field is not closed (unbalanced quotes)")]
    assert con.execute("SELECT count(*) FROM land_calls").fetchone() == (8,)


def test_quoted_line_breaks_are_still_one_record_in_a_batch_of_files(tmp_path):
    """The reconciliation of records with lines does not break a legitimate quoted line break."""
    for d in range(1, 6):
        category = "Bin not\ncollected, twice" if d == 3 else "Missed collection"
        write_extract(tmp_path / "raw", "complaints", f"complaints_{d}.csv", [
            [f"X{d}", "1", "2024-03-04", "", "Place", "waste", category, "", "", ""]])
    con, _ = ingest(tmp_path, "complaints")
    assert con.execute("SELECT count(*) FROM land_complaints").fetchone() == (5,)
    assert con.execute("SELECT category FROM land_complaints WHERE case_ref = 'X3'").fetchone() == (
        "Bin not\ncollected, twice",)
    assert quarantine(con) == []
