"""Failing safe (issue 11): the hostile corpus, continued, as an operator and an attacker would try it.

One landing zone holds good deliveries and, beside them, the hostile entries of
issue 11 that concern a file (links, pipes and folders in the landing zone, NUL
bytes, CR-only line ends, UTF-16, quoted line breaks beside a broken record, a
name that is a glob pattern, inflating workbooks, implausible survey weights);
the pipeline runs over it once. The cases that concern a whole run (a check that
cannot run, a landing zone that empties, a suite that cannot be read, a damaged
warehouse or `current`) each have their own small landing zone.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import shutil
import socket
import stat
from pathlib import Path

import duckdb
import pytest

from pipelines import settings
from pipelines.cli import main as cli_main
from pipelines.settings import XLSX_MAX_CELLS, XLSX_MAX_UNCOMPRESSED_BYTES
from tests.helpers import HASH_A, HEADERS, mart, run_pipeline, write_extract
from tests.xlsx_bombs import row_xml, write_workbook

pytestmark = pytest.mark.xdist_group("hostile_failsafe")

T0, T1, T2 = "2024-03-04 09:00:00", "2024-03-04 09:00:30", "2024-03-04 09:05:00"
PHONE = "07700900123"


def call(call_id: str, caller: str = HASH_A, queue: str = "waste") -> list:
    return [call_id, queue, caller, T0, T1, T2, "answered", "Y"]


def complaint(ref: str, category: str = "Missed collection") -> list:
    return [ref, "1", "2024-03-04", "2024-03-08", "Place", "waste", category, "upheld", "", "E05009317"]


def survey(rid: str, weight: str, answer: str = "Agree") -> list:
    return [rid, "resident", "2024-06", "2024-06-10", "E05009317", "25-34", "Female", "White", "N", "", "",
            weight, answer]


SURVEY_HEADER = HEADERS["survey_responses"] + ["staff_helpful_polite"]
GOOD_CALLS = 6


def csv_text(header: list[str], rows: list[list]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


def manifest(marts: Path) -> dict:
    return json.loads((marts / "current" / "manifest.json").read_text())


def land_ids(state: Path, table: str, column: str) -> list:
    con = duckdb.connect(str(state / "warehouse.duckdb"), read_only=True)
    try:
        return sorted(r[0] for r in con.execute(f"SELECT {column} FROM {table}").fetchall())
    finally:
        con.close()


# ------------------------------------------------------------------ the shared landing zone
def build_landing_zone(root: Path) -> None:
    raw = root / "raw"
    write_extract(raw, "calls", "calls_20240301.csv", [call(f"G{i}") for i in range(GOOD_CALLS)])
    calls = raw / "calls"

    # item 5: what is not a plain file in the landing zone is never read
    outside = root / "outside"
    outside.mkdir()
    write_extract(outside, "calls", "stolen.csv", [call("O1"), call("O2")])
    (calls / "l1_passwd.csv").symlink_to("/etc/passwd")
    (calls / "l2_outside.csv").symlink_to(outside / "calls" / "stolen.csv")
    (calls / "l3_inside.csv").symlink_to(calls / "calls_20240301.csv")
    os.mkfifo(calls / "l4_pipe.csv")
    (calls / "l5_archive").mkdir()
    (calls / "l5_archive" / "old.csv").write_text(csv_text(HEADERS["calls"], [call("A1")]))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(calls / "l6_socket.csv"))
    sock.close()
    write_extract(outside, "workforce", "workforce_2024-03.csv", [["2024-03", "Resources", "100"]])
    (raw / "workforce").symlink_to(outside / "workforce")  # a source folder that is a link
    if os.geteuid() == 0:  # only root may make a device node
        os.mknod(calls / "l7_device.csv", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null

    # item 10: quoted line breaks in 9 good records, beside one record with too many fields
    rows = [complaint(f"ML{i}", category=f'"Bin not\nemptied, day {i}"') for i in range(9)]
    rows.insert(5, complaint("MLX") + ["an extra field"])
    (raw / "complaints").mkdir(parents=True)
    (raw / "complaints" / "m1_multiline.csv").write_text(csv_text(HEADERS["complaints"], rows))

    # item 11: a name that is a glob pattern matching the good file
    write_extract(raw, "calls", "calls_2*.csv", [call(f"S{i}") for i in range(5)])

    # item 12: NUL bytes, early and late; CR-only line ends; UTF-16 with and without a BOM
    header = ",".join(HEADERS["calls"])
    early = [",".join(call(f"NE{i}")) for i in range(4)]
    early[1] = early[1].replace("NE1", "NE\x001")
    (calls / "n1_nul_early.csv").write_text("\n".join([header, *early]) + "\n")
    late = [",".join(call(f"NL{i}")) for i in range(700)]  # > 64 KB before the NUL
    late[650] = late[650].replace("NL650", "NL\x00650")
    (calls / "n2_nul_late.csv").write_text("\n".join([header, *late]) + "\n")
    (calls / "n3_cr_only.csv").write_bytes(("\r".join([header, ",".join(call("CR1"))]) + "\r").encode())
    utf16 = "\r\n".join([header, ",".join(call("U1"))]) + "\r\n"
    (calls / "n4_utf16.csv").write_bytes(utf16.encode("utf-16"))        # with a BOM
    (calls / "n5_utf16le.csv").write_bytes(utf16.encode("utf-16-le"))   # without

    # item 13: workbooks that inflate
    surveys = raw / "survey_responses"
    surveys.mkdir(parents=True)
    header_row = row_xml(1, SURVEY_HEADER)
    data_row = row_xml(2, survey("X1", "1"))
    side = int(math.isqrt(XLSX_MAX_CELLS)) + 10  # claims side x side cells: a tiny file, gigabytes once read
    write_workbook(surveys / "b1_cells.xlsx", [header_row, data_row,
                                               f'<row r="{side}"><c r="{_col(side)}{side}"><v>1</v></c></row>'])
    write_workbook(surveys / "b2_inflates.xlsx", [header_row, data_row],
                   padding_bytes=XLSX_MAX_UNCOMPRESSED_BYTES + (1 << 20))

    # item 14: survey weights far outside any plausible range, beside 12 good responses
    good = [survey(f"W{i}", "1.0" if i % 2 else "2.0", "Agree" if i % 3 else "Disagree") for i in range(12)]
    bad = [survey("WBIG", "1e308"), survey("WTINY", "1e-300"), survey("WHUGE", "1e30", "Disagree")]
    (surveys / "w1_weights.csv").write_text(csv_text(SURVEY_HEADER, good + bad))


def _col(n: int) -> str:
    from tests.xlsx_bombs import column_letters
    return column_letters(n - 1)


@pytest.fixture(scope="session")
def failsafe_run(tmp_path_factory):
    """(exit code, run output, root) of one run over the landing zone above, built once."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    root = root / "hostile_failsafe"
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "exit_code").exists():
            build_landing_zone(root)
            # the run never opens a pipe: if it did, this test would hang, not fail
            out = root / "output.txt"
            import contextlib
            import io
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                code = cli_main(["run", "--raw-dir", str(root / "raw"), "--marts-dir", str(root / "marts"),
                                 "--state-dir", str(root / "state")])
            out.write_text(buf.getvalue())
            (root / "exit_code").write_text(str(code))
    return int((root / "exit_code").read_text()), (root / "output.txt").read_text(), root


def dq_file(marts: Path, source: str, name: str):
    f = mart(marts, "dq_files", "source = ? AND file_name = ?", [source, name])
    assert len(f) == 1, f"{source}/{name} is listed once in dq_files"
    return f.iloc[0]


def quarantined(marts: Path, source: str, name: str) -> dict[int, str]:
    q = mart(marts, "dq_quarantine", "source = ? AND file_name = ?", [source, name])
    return q.groupby("row_number")["reason"].apply(" | ".join).to_dict()


def test_the_night_publishes(failsafe_run):
    code, out, root = failsafe_run
    assert code == 0, out


# item 5 -----------------------------------------------------------------
LINKS_AND_SPECIALS = {
    "l1_passwd.csv": "symbolic link", "l2_outside.csv": "symbolic link", "l3_inside.csv": "symbolic link",
    "l4_pipe.csv": "named pipe", "l5_archive": "folder", "l6_socket.csv": "socket",
}


def test_links_pipes_sockets_devices_and_folders_are_skipped_and_listed(failsafe_run):
    _, out, root = failsafe_run
    marts = root / "marts"
    m = manifest(marts)
    skipped = m["skipped"]["calls"]
    expected = dict(LINKS_AND_SPECIALS)
    if os.geteuid() == 0:
        expected["l7_device.csv"] = "device"
    for name, phrase in expected.items():
        assert name in skipped and name in m["skipped_files"]["calls"], f"{name} is listed as skipped"
        assert phrase in skipped[name], skipped[name]
    listed = mart(marts, "dq_skipped_files", "source = 'calls'")
    assert set(expected) <= set(listed["file_name"])
    for name in expected:
        assert name in out  # the run says so too
    assert not set(expected) & set(mart(marts, "dq_files")["file_name"]), "none of them was read"


def test_validate_names_a_link_as_skipped_without_reading_it(failsafe_run, capsys):
    _, _, root = failsafe_run
    code = cli_main(["validate", "--raw-dir", str(root / "raw"), "--file", str(root / "raw" / "calls" / "l1_passwd.csv")])
    out = capsys.readouterr()
    assert code == 0 and "SKIPPED" in out.out and "symbolic link" in out.out
    assert "root:" not in out.out + out.err


def test_a_source_folder_that_is_a_link_is_not_followed(failsafe_run):
    _, out, root = failsafe_run
    assert "symbolic link" in manifest(root / "marts")["skipped"]["workforce"]["workforce/"]
    assert mart(root / "marts", "dq_files", "source = 'workforce'").empty
    assert "workforce/" in out


def test_nothing_is_read_through_a_link(failsafe_run):
    _, out, root = failsafe_run
    ids = land_ids(root / "state", "land_calls", "call_id")
    assert not {"O1", "O2", "A1"} & set(ids), "a CSV outside the landing zone (or in a sub-folder) is not ingested"
    assert ids.count("G0") == 1, "a link to a file inside the landing zone does not read it twice"
    first_line = Path("/etc/passwd").read_text().splitlines()[0]
    everything = out + (root / "marts" / "current" / "manifest.json").read_text()
    for name in ("dq_files", "dq_refused_files", "dq_quarantine", "dq_skipped_files"):
        everything += mart(root / "marts", name).to_csv()
    assert first_line not in everything and "root:" not in everything


# item 10 -----------------------------------------------------------------
def test_quoted_line_breaks_beside_a_broken_record_keep_every_good_record(failsafe_run):
    _, _, root = failsafe_run
    marts = root / "marts"
    f = dq_file(marts, "complaints", "m1_multiline.csv")
    assert (f["status"], f["rows_loaded"], f["rows_quarantined"]) == ("loaded", 9, 1)
    q = quarantined(marts, "complaints", "m1_multiline.csv")
    assert list(q.values()) == ["the record has more fields than the header"]
    cats = mart(marts, "fct_complaints_monthly")
    assert cats["received"].sum() == 9
    assert sorted(land_ids(root / "state", "land_complaints", "case_ref")) == sorted(f"ML{i}" for i in range(9))


# item 11 -----------------------------------------------------------------
def test_a_name_that_is_a_glob_pattern_is_read_once_and_only_itself(failsafe_run):
    _, _, root = failsafe_run
    f = dq_file(root / "marts", "calls", "calls_2*.csv")
    assert (f["status"], f["rows_read"], f["rows_loaded"]) == ("loaded", 5, 5)
    ids = land_ids(root / "state", "land_calls", "call_id")
    assert [i for i in ids if i.startswith("S")] == [f"S{i}" for i in range(5)]
    assert [i for i in ids if i.startswith("G")] == [f"G{i}" for i in range(GOOD_CALLS)]


# item 12 -----------------------------------------------------------------
NUL_REASON = "holds a NUL byte"


@pytest.mark.parametrize("name, bad_row, loaded", [("n1_nul_early.csv", 2, 3), ("n2_nul_late.csv", 651, 699)])
def test_a_nul_byte_costs_its_record_wherever_it_is(failsafe_run, name, bad_row, loaded):
    _, _, root = failsafe_run
    marts = root / "marts"
    f = dq_file(marts, "calls", name)
    assert (f["status"], f["rows_loaded"], f["rows_quarantined"]) == ("loaded", loaded, 1)
    q = quarantined(marts, "calls", name)
    assert list(q) == [bad_row] and NUL_REASON in q[bad_row]
    assert not [i for i in land_ids(root / "state", "land_calls", "call_id") if "\x00" in i]


@pytest.mark.parametrize("name, phrase", [
    ("n3_cr_only.csv", "lines end with a carriage return only"),
    ("n4_utf16.csv", "UTF-16"),
    ("n5_utf16le.csv", "UTF-16"),
])
def test_cr_only_and_utf16_are_refused_in_plain_words(failsafe_run, name, phrase):
    _, _, root = failsafe_run
    f = dq_file(root / "marts", "calls", name)
    assert f["status"] == "refused" and phrase in f["reason"], f["reason"]
    for jargon in ("Error", "CSV Error", "sniff", "binary", "line 1"):
        assert jargon not in f["reason"], f["reason"]


# item 13 -----------------------------------------------------------------
@pytest.mark.parametrize("name, phrase", [
    ("b1_cells.xlsx", "cells"),
    ("b2_inflates.xlsx", "unpacks to more than"),
])
def test_an_inflating_workbook_is_refused_before_it_is_unpacked(failsafe_run, name, phrase):
    _, _, root = failsafe_run
    f = dq_file(root / "marts", "survey_responses", name)
    assert f["status"] == "refused" and phrase in f["reason"], f["reason"]
    assert "X1" not in land_ids(root / "state", "land_survey_responses", "response_id")


# item 14 -----------------------------------------------------------------
def test_implausible_survey_weights_are_quarantined(failsafe_run):
    _, _, root = failsafe_run
    marts = root / "marts"
    f = dq_file(marts, "survey_responses", "w1_weights.csv")
    assert (f["rows_loaded"], f["rows_quarantined"]) == (12, 3)
    q = quarantined(marts, "survey_responses", "w1_weights.csv")
    assert sorted(q) == [13, 14, 15]
    assert all("weight is not a plausible survey weight" in r for r in q.values())
    value = mart(marts, "kpi_values", "kpi_id = 'survey.staff_helpful_polite' AND period = '2024-06' "
                                      "AND breakdown = ''")
    # 12 good responses: W1, W2, W4, W5, W7, W8, W10, W11 agree (i % 3 != 0)
    weights = {i: (1.0 if i % 2 else 2.0) for i in range(12)}
    expected = sum(w for i, w in weights.items() if i % 3) / sum(weights.values())
    assert value["value"].tolist() == [pytest.approx(expected)]


def test_no_mart_holds_nan_or_infinity(failsafe_run):
    _, _, root = failsafe_run
    assert_every_number_is_finite(root / "marts" / "current")


def assert_every_number_is_finite(current: Path) -> None:
    con = duckdb.connect()
    checked = 0
    for path in sorted(current.glob("*.parquet")):
        cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        numeric = [c[0] for c in cols if c[1] in ("DOUBLE", "FLOAT", "REAL")]
        for c in numeric:
            bad = con.execute(f'SELECT count(*) FROM read_parquet(\'{path}\') WHERE NOT isfinite("{c}")').fetchone()[0]
            assert bad == 0, f"{path.stem}.{c} holds {bad} NaN or infinite value(s)"
            checked += 1
    assert checked > 50  # every numeric column of every mart was looked at


def test_demo_marts_hold_no_nan_or_infinity(demo_marts):
    assert_every_number_is_finite(demo_marts / "current")


# ------------------------------------------------------------------ item 1: checks that cannot run
@pytest.fixture
def suites(tmp_path, monkeypatch):
    folder = tmp_path / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, folder)
    monkeypatch.setattr(settings, "EXPECTATIONS_DIR", folder)
    return folder


def edit_check(folder: Path, source: str, name: str, **kwargs) -> None:
    path = folder / f"{source}.json"
    doc = json.loads(path.read_text())
    check = next(e for e in doc["expectations"] if e.get("meta", {}).get("name") == name)
    check["kwargs"].update(kwargs)
    path.write_text(json.dumps(doc, indent=2))


BROKEN_PERSONAL_DATA_CHECK = {
    "a column that does not exist": {"column": "caler_hash"},
    "an invalid regular expression": {"regex": "(?:@|[g-z"},
    "a row_condition that does not parse": {"row_condition": 'outcome == "answered" and', "condition_parser": "pandas"},
    "a row_condition naming no column": {"row_condition": 'outcom == "answered"', "condition_parser": "pandas"},
}


@pytest.mark.parametrize("case", list(BROKEN_PERSONAL_DATA_CHECK))
def test_a_critical_check_that_cannot_be_built_stops_its_suite(suites, case):
    from pipelines.validation import SuiteError, load_suite

    edit_check(suites, "calls", "caller_hash_no_personal_data", **BROKEN_PERSONAL_DATA_CHECK[case])
    with pytest.raises(SuiteError) as e:
        load_suite("calls")
    assert "caller_hash_no_personal_data" in str(e.value) and "calls.json" in str(e.value)


def _run_with_output(raw: Path, marts: Path, state: Path, capsys, *extra: str) -> tuple[int, str]:
    code = run_pipeline(raw, marts, state, *extra)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_broken_personal_data_check_holds_the_file_back(tmp_path, suites, capsys):
    """The check names a column that does not exist: the file with a phone number is not published."""
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    write_extract(raw, "calls", "calls_1.csv", [call(f"C{i}") for i in range(72)] + [call("C72", caller=PHONE)])
    write_extract(raw, "workforce", "workforce_2024-03.csv", [["2024-03", "Resources", "100"]])
    edit_check(suites, "calls", "caller_hash_no_personal_data", column="caler_hash")
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code == 0  # the other sources publish
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 0, "no call of that file is published"
    assert "caller_hash_no_personal_data" in out and "calls" in out
    m = manifest(marts)
    assert "caller_hash_no_personal_data" in m["suite_errors"]["calls"]
    assert "caller_hash_no_personal_data" in mart(marts, "dq_suite_errors")["message"].iloc[0]
    assert mart(marts, "fct_training_monthly") is not None and len(mart(marts, "dq_files", "source = 'workforce'")) == 1


def test_a_critical_check_that_fails_to_run_on_the_data_refuses_the_files_it_guards(tmp_path, suites, capsys):
    """A row_condition that parses but cannot be evaluated on the typed rows (a timestamp
    compared with a number): found only when the check runs; the files it guards are held back."""
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    write_extract(raw, "calls", "calls_1.csv", [call(f"C{i}") for i in range(72)] + [call("C72", caller=PHONE)])
    write_extract(raw, "calls", "calls_2.csv", [call("D1")])
    write_extract(raw, "workforce", "workforce_2024-03.csv", [["2024-03", "Resources", "100"]])
    edit_check(suites, "calls", "caller_hash_no_personal_data", row_condition="offered_at > 5",
               condition_parser="pandas")
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code == 0
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 0
    refused = mart(marts, "dq_refused_files", "source = 'calls'").set_index("file_name")["reason"].to_dict()
    assert set(refused) == {"calls_1.csv", "calls_2.csv"}
    assert all("caller_hash_no_personal_data" in r and "could not run" in r for r in refused.values())
    assert PHONE not in json.dumps(refused)
    checks = mart(marts, "dq_check_runs", "check_name = 'caller_hash_no_personal_data'")
    assert checks["error"].notna().all() and checks["files_failed"].tolist() == [2]
    assert "could not run" in out and "caller_hash_no_personal_data" in out
    m = manifest(marts)
    assert "caller_hash_no_personal_data" in m["suite_errors"]["calls"]
    # once the check is mended, the held-back files are read again and the phone number refuses its file
    shutil.copy(settings.REPO_ROOT / "expectations" / "calls.json", suites / "calls.json")
    assert run_pipeline(raw, marts, state) == 0
    refused = mart(marts, "dq_refused_files", "source = 'calls'").set_index("file_name")["reason"].to_dict()
    assert list(refused) == ["calls_1.csv"] and "data-protection breach" in refused["calls_1.csv"]
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 1


# ------------------------------------------------------------------ item 6: never blank the Board
def good_night(raw: Path) -> None:
    for d in range(1, 5):
        write_extract(raw, "calls", f"calls_2024030{d}.csv", [call(f"C{d}-{i}") for i in range(5)])
    write_extract(raw, "workforce", "workforce_2024-03.csv", [["2024-03", "Resources", "100"]])


def test_a_landing_zone_that_empties_never_blanks_the_marts(tmp_path, capsys):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    good_night(raw)
    assert run_pipeline(raw, marts, state) == 0
    published = manifest(marts)["run_id"]

    # one calls file of four removed (an operator taking back a bad delivery): fine
    (raw / "calls" / "calls_20240304.csv").unlink()
    assert run_pipeline(raw, marts, state) == 0
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 15
    published = manifest(marts)["run_id"]

    # a source folder missing (a mount failed): stop, keep the marts, say so
    shutil.move(raw / "workforce", tmp_path / "workforce_away")
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code != 0
    assert manifest(marts)["run_id"] == published
    assert "workforce" in out and "--allow-removals" in out

    # the whole landing zone empty, on a full refresh too
    shutil.move(raw / "calls", tmp_path / "calls_away")
    for extra in ((), ("--full-refresh",)):
        code, out = _run_with_output(raw, marts, state, capsys, *extra)
        assert code != 0 and "--allow-removals" in out
        assert manifest(marts)["run_id"] == published
        assert mart(marts, "fct_calls_monthly")["offered"].sum() == 15
    assert len(land_ids(state, "land_calls", "call_id")) == 15, "the warehouse kept its rows too"

    # the operator means it
    shutil.move(tmp_path / "calls_away", raw / "calls")
    code, out = _run_with_output(raw, marts, state, capsys, "--allow-removals")
    assert code == 0
    assert mart(marts, "dq_files", "source = 'workforce'").empty
    assert manifest(marts)["removals_allowed"] is True


def test_allow_removals_is_documented():
    from pipelines.cli import build_parser

    help_text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()
    assert "--allow-removals" in help_text
    assert "--allow-removals" in (settings.REPO_ROOT / "README.md").read_text()


def test_removing_more_than_the_allowed_share_stops_the_run(tmp_path, capsys):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    good_night(raw)
    assert run_pipeline(raw, marts, state) == 0
    published = manifest(marts)["run_id"]
    for d in (2, 3):  # half the calls files
        (raw / "calls" / f"calls_2024030{d}.csv").unlink()
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code != 0 and manifest(marts)["run_id"] == published
    assert "calls" in out and "2 of 4" in out
    # a state folder started afresh knows no files: the published manifest is the reference
    shutil.rmtree(state)
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code != 0 and manifest(marts)["run_id"] == published and "2 of 4" in out


# ------------------------------------------------------------------ item 7: one file or suite, not the night
def test_a_file_that_vanishes_while_the_run_reads_is_skipped(tmp_path, monkeypatch, capsys):
    import pipelines.ingest as ingest

    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    good_night(raw)
    real_discover = ingest.discover

    def discover_then_lose_one(raw_dir, source, known=None):
        files, skipped = real_discover(raw_dir, source, known)
        if source == "calls":
            (raw_dir / "calls" / "calls_20240302.csv").unlink()  # gone between listing and reading
        return files, skipped

    monkeypatch.setattr(ingest, "discover", discover_then_lose_one)
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code == 0
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 15
    skipped = manifest(marts)["skipped"]["calls"]
    assert "disappeared" in skipped["calls_20240302.csv"]
    assert "calls_20240302.csv" not in set(mart(marts, "dq_files")["file_name"])


def test_an_unusable_suite_costs_only_its_source_and_validate_says_so(tmp_path, suites, capsys):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    good_night(raw)
    write_extract(raw, "complaints", "complaints_1.csv", [complaint("K1")])
    write_extract(raw, "action_plan", "plan_1.csv", [["A1", "1", "Hubs", "Head of Customer Services",
                                                      "2025-03-31", "on_track", "2024-03-31"]])
    edit_check(suites, "calls", "queue_known", value_set={"$PARAMETER": "service_codez"})
    path = suites / "complaints.json"
    path.write_bytes(path.read_text().replace("is missing", "is missing (£)").encode("cp1252"))
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code == 0
    errors = manifest(marts)["suite_errors"]
    assert "service_codez" in errors["calls"] and "UTF-8" in errors["complaints"]
    assert mart(marts, "fct_action_plan_latest")["action_id"].tolist() == ["A1"]  # the others publish
    assert len(mart(marts, "dq_files", "source = 'workforce'")) == 1
    assert mart(marts, "dq_files", "source IN ('calls', 'complaints')").empty  # their files wait
    for source in ("calls", "complaints"):
        code = cli_main(["validate", "--raw-dir", str(raw), "--source", source])
        out = capsys.readouterr()
        assert code == 2, out
        assert "Traceback" not in out.out + out.err
        assert "UNUSABLE SUITE" in out.out


# ------------------------------------------------------------------ item 8: states no run recovered from
def test_a_truncated_warehouse_is_rebuilt_from_the_landing_zone(tmp_path, capsys):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    good_night(raw)
    assert run_pipeline(raw, marts, state) == 0
    wh = state / "warehouse.duckdb"
    for extra in ((), ("--full-refresh",)):
        with open(wh, "r+b") as f:
            f.truncate(wh.stat().st_size // 3)
        code, out = _run_with_output(raw, marts, state, capsys, *extra)
        assert code == 0, out
        assert "Traceback" not in out
        assert "rebuilt" in out and "warehouse" in out
        assert mart(marts, "fct_calls_monthly")["offered"].sum() == 20
        assert manifest(marts)["warehouse_rebuilt"]["reason"]
        assert list(state.glob("warehouse.duckdb.damaged*")), "the damaged file is kept aside for a look"
    assert run_pipeline(raw, marts, state) == 0  # and the next night is an ordinary one


def test_current_as_a_real_folder_is_published_over_safely(tmp_path, capsys):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    good_night(raw)
    assert run_pipeline(raw, marts, state) == 0
    current = marts / "current"
    real = marts / "copy"
    shutil.copytree(current.resolve(), real)
    current.unlink()
    real.rename(current)  # someone copied the marts into place by hand
    runs_before = sorted(p.name for p in (marts / "runs").iterdir())
    code, out = _run_with_output(raw, marts, state, capsys)
    assert code == 0, out
    assert current.is_symlink() and manifest(marts)["run_id"] in current.resolve().name
    assert "current" in out and "was a folder" in out
    kept = [p for p in marts.iterdir() if p.name.startswith("current.replaced-")]
    assert len(kept) == 1 and (kept[0] / "manifest.json").exists(), "the folder's content is kept aside"
    runs_after = sorted(p.name for p in (marts / "runs").iterdir())
    assert len(runs_after) == len(runs_before) + 1
    assert run_pipeline(raw, marts, state) == 0
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 20


# ------------------------------------------------------------------ item 11: literal names on a full refresh
def test_a_glob_name_is_read_once_on_a_full_refresh(tmp_path):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    write_extract(raw, "calls", "calls_2*.csv", [call(f"S{i}") for i in range(75)])
    write_extract(raw, "calls", "calls_20240301.csv", [call("G1")])
    write_extract(raw, "calls", "calls_[2]0240302.csv", [call("G2")])
    for extra in ((), ("--full-refresh",)):
        assert run_pipeline(raw, marts, state, *extra) == 0
        files = mart(marts, "dq_files", "source = 'calls'").set_index("file_name")["rows_loaded"].to_dict()
        assert files == {"calls_2*.csv": 75, "calls_20240301.csv": 1, "calls_[2]0240302.csv": 1}
        assert mart(marts, "fct_calls_monthly")["offered"].sum() == 77


# ------------------------------------------------------------------ item 13: the bounds themselves
def _bounds(path: Path) -> str | None:
    from pipelines.xlsx_bounds import workbook_problem

    with open(path, "rb") as f:
        return workbook_problem(f, path.stat().st_size)


def test_an_ordinary_workbook_is_within_bounds(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SURVEY_HEADER)
    for i in range(2000):
        ws.append(survey(f"R{i}", "1.0"))
    wb.save(tmp_path / "ok.xlsx")
    assert _bounds(tmp_path / "ok.xlsx") is None


def test_cells_without_positions_are_counted_too(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "XLSX_MAX_CELLS", 1_000)
    monkeypatch.setattr(settings, "XLSX_MAX_ROWS", 100)
    wide = "<row>" + "<c><v>1</v></c>" * 1_001 + "</row>"  # no r="..." attributes: positions by order
    write_workbook(tmp_path / "wide.xlsx", [wide])
    assert "1,001 columns" in _bounds(tmp_path / "wide.xlsx")
    write_workbook(tmp_path / "tall.xlsx", ["<row><c><v>1</v></c></row>"] * 101)
    assert "reaches row 101" in _bounds(tmp_path / "tall.xlsx")


def test_a_workbook_whose_zip_understates_its_size_is_still_measured(tmp_path, monkeypatch):
    import zipfile

    monkeypatch.setattr(settings, "XLSX_MAX_UNCOMPRESSED_BYTES", 2_000_000)
    path = write_workbook(tmp_path / "liar.xlsx", [row_xml(1, SURVEY_HEADER)], padding_bytes=3_000_000)
    # rewrite the sheet's declared size in the central directory to a small number
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 2_000_000
    central = data.rfind(b"xl/worksheets/sheet1.xml") - 46  # the central directory entry's header
    assert data[central:central + 4] == b"PK\x01\x02"
    if data[central + 24:central + 28] != b"\xff\xff\xff\xff":  # not zip64: the size is here
        data[central + 24:central + 28] = (1000).to_bytes(4, "little")
        path.write_bytes(bytes(data))
    problem = _bounds(path)
    assert problem and ("unpacks to more than" in problem or "damaged" in problem), problem


# ------------------------------------------------------------------ reading, without a whole run
def _ingest(tmp_path, source: str):
    from pipelines import warehouse
    from pipelines.contract import load_sources
    from pipelines.ingest import ingest_source
    from pipelines.reference import Reference

    con = warehouse.connect(tmp_path / "state")
    warehouse.ensure_schema(con)
    report = ingest_source(con, load_sources()[source], tmp_path / "raw", Reference(), "t", log=lambda *a: None)
    return con, report


def test_quoted_line_breaks_beside_an_open_quote_keep_every_other_record(tmp_path):
    rows = [complaint(f"K{i}", category=f'"Two\nlines {i}"') for i in range(4)]
    rows.insert(2, complaint("KBAD", category='"never closed'))
    (tmp_path / "raw" / "complaints").mkdir(parents=True)
    (tmp_path / "raw" / "complaints" / "c.csv").write_text(csv_text(HEADERS["complaints"], rows))
    con, _ = _ingest(tmp_path, "complaints")
    assert sorted(r[0] for r in con.execute("SELECT case_ref FROM land_complaints").fetchall()) == [
        "K0", "K1", "K2", "K3"]
    assert con.execute("SELECT category FROM land_complaints WHERE case_ref = 'K3'").fetchone() == ("Two\nlines 3",)
    q = con.execute("SELECT row_number, reason FROM quarantine").fetchall()
    assert q == [(3, "a quoted field is not closed (unbalanced quotes)")]


@pytest.mark.parametrize("encoding, name", [("utf-16-be", "UTF-16"), ("utf-32", "UTF-32"), ("utf-32-le", "UTF-32")])
def test_other_unicode_encodings_are_named(tmp_path, encoding, name):
    (tmp_path / "raw" / "calls").mkdir(parents=True)
    text = csv_text(HEADERS["calls"], [call("U1")])
    (tmp_path / "raw" / "calls" / "u.csv").write_bytes(text.encode(encoding))
    con, _ = _ingest(tmp_path, "calls")
    status, reason = con.execute("SELECT status, reason FROM ingest_files").fetchone()
    assert status == "refused" and name in reason and "binary" not in reason
