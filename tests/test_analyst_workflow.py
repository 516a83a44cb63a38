"""An analyst adds a data-quality check by editing a file, checks it with
`validate`, and the next nightly run catches a planted fault: no code change."""

from __future__ import annotations

import json
import shutil

import pytest

from pipelines import settings
from pipelines.cli import main as cli_main
from tests.helpers import HASH_A, HASH_B, mart, run_pipeline, write_extract


@pytest.fixture
def suites(tmp_path, monkeypatch):
    folder = tmp_path / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, folder)
    monkeypatch.setattr(settings, "EXPECTATIONS_DIR", folder)
    return folder


def call(call_id, offered, answered, ended, caller=HASH_A):
    return [call_id, "waste", caller, offered, answered, ended, "answered", "Y"]


def test_a_new_expectation_file_entry_catches_a_planted_fault(tmp_path, suites, capsys):
    raw, marts, state = tmp_path / "raw", tmp_path / "marts", tmp_path / "state"
    write_extract(raw, "calls", "calls_20240304.csv", [
        call("C1", "2024-03-04 09:00:00", "2024-03-04 09:01:00", "2024-03-04 09:06:00")])
    assert run_pipeline(raw, marts, state) == 0

    # 1. the analyst edits expectations/calls.json: a call longer than 4 hours is an export fault
    doc = json.loads((suites / "calls.json").read_text())
    doc["expectations"].append({
        "type": "expect_column_pair_values_a_to_be_greater_than_b",
        "kwargs": {"column_A": "offered_at_plus_4h", "column_B": "ended_at"},
        "severity": "critical",
        "meta": {"name": "call_shorter_than_4_hours", "description": "the call lasted more than 4 hours"}})
    (suites / "calls.json").write_text(json.dumps(doc, indent=2))
    # ...no such column: validate says so plainly rather than crash, and since the check is
    # critical (it would guard what is published) the suite is unusable until it is mended
    assert cli_main(["validate", "--raw-dir", str(raw), "--source", "calls"]) == 2
    out = capsys.readouterr().out
    assert "UNUSABLE SUITE" in out and "call_shorter_than_4_hours" in out and "'offered_at_plus_4h'" in out

    # 2. so the analyst uses a rule on the existing column instead and re-validates
    doc["expectations"][-1] = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "ended_at", "max_value": "2024-03-05 23:59:59"},
        "severity": "critical",
        "meta": {"name": "ended_by_5_march", "description": "the call ended after the extract's date"}}
    (suites / "calls.json").write_text(json.dumps(doc, indent=2))
    assert cli_main(["validate", "--raw-dir", str(raw), "--source", "calls"]) == 0

    # 3. the next delivery has the fault; the nightly run quarantines it
    write_extract(raw, "calls", "calls_20240305.csv", [
        call("C2", "2024-03-05 09:00:00", "2024-03-05 09:00:20", "2024-03-05 09:03:00", HASH_B),
        call("C3", "2024-03-05 10:00:00", "2024-03-05 10:00:20", "2024-03-09 10:03:00", HASH_B)])
    assert cli_main(["validate", "--raw-dir", str(raw), "--file", str(raw / "calls" / "calls_20240305.csv")]) == 1
    out = capsys.readouterr().out
    assert "ended_by_5_march: 1 row(s) quarantines" in out
    assert run_pipeline(raw, marts, state) == 0
    q = mart(marts, "dq_quarantine")
    assert list(zip(q["file_name"], q["row_number"], q["check_name"], strict=True)) == [
        ("calls_20240305.csv", 2, "ended_by_5_march")]
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 2


def test_quarantine_list_and_export(tmp_path, capsys):
    raw, marts = tmp_path / "raw", tmp_path / "marts"
    write_extract(raw, "calls", "calls_1.csv", [
        ["C1", "CTAX", HASH_A, "2024-03-04 09:00:00", "", "2024-03-04 09:01:00", "abandoned", ""],
        ["C2", "=HYPERLINK(\"x\")", HASH_A, "2024-03-04 09:00:00", "", "2024-03-04 09:01:00", "abandoned", ""]])
    assert run_pipeline(raw, marts, tmp_path / "state") == 0
    assert cli_main(["quarantine", "list", "--marts-dir", str(marts)]) == 0
    out = capsys.readouterr().out
    assert "2 rows held back (open): one per source row, 2 failed checks among them" in out
    assert "queue_known" in out and "calls_1.csv row 1" in out
    assert HASH_A not in out
    target = tmp_path / "q.csv"
    assert cli_main(["quarantine", "export", "--marts-dir", str(marts), "--out", str(target)]) == 0
    text = target.read_text(encoding="utf-8-sig")
    assert text.count("\n") == 3 and HASH_A not in text
    assert cli_main(["quarantine", "list", "--marts-dir", str(tmp_path / "none")]) == 1


def test_the_readme_example_works_as_written(tmp_path, suites, capsys):
    """The step-by-step example in expectations/README.md, pasted as an analyst would."""
    readme = (settings.REPO_ROOT / "expectations" / "README.md").read_text()
    example = json.loads(readme.split("```json", 1)[1].split("```", 1)[0])
    doc = json.loads((suites / "complaints.json").read_text())
    doc["expectations"].append(example)
    (suites / "complaints.json").write_text(json.dumps(doc, indent=2))
    raw = tmp_path / "raw"
    from tests.helpers import write_extract as write
    write(raw, "complaints", "complaints_2024-03.csv", [
        ["CMP-1", "1", "2024-03-04", "2024-03-08", "Place", "waste", "Missed collection", "upheld", "6000.00", ""],
        ["CMP-2", "1", "2024-03-04", "2024-03-08", "Place", "waste", "Missed collection", "upheld", "50.00", ""]])
    assert cli_main(["validate", "--raw-dir", str(raw), "--source", "complaints"]) == 1
    assert "remedy_under_5000: 1 row(s) flags" in capsys.readouterr().out
