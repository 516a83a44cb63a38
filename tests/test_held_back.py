"""Rows held back are counted one way everywhere (issue 10 item 6).

A row held back is a distinct source record (source, file, row number) still in
quarantine, however many checks it failed; failed checks are a separate figure.
The run's summary line, manifest.json, the dq marts, `quarantine list|export`,
the overview's data-quality line, the Data quality page and the board pack give
the same totals on the demo data, and a row failing two checks is one row.
"""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import board_pack, data
from pipelines.cli import main as cli_main
from tests.helpers import HASH_A, mart, run_pipeline, write_extract
from tests.pages import APP, texts, walk


def number(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return int(found.group(1).replace(",", ""))


def test_every_figure_of_rows_held_back_agrees(demo_env, tmp_path, capsys, monkeypatch):
    raw, _, state = demo_env
    # A run of our own on a copy of the warehouse, to read what the run itself reports.
    shutil.copytree(state, tmp_path / "state")
    marts = tmp_path / "marts"
    assert run_pipeline(raw, marts, tmp_path / "state") == 0
    printed = capsys.readouterr().out
    rows = number(printed, r"([\d,]+) rows? held back in quarantine")
    checks = number(printed, r"([\d,]+) failed checks? among them")

    # the marts: one line per row held back; one line per failed check
    held = mart(marts, "dq_held_back")
    lines = mart(marts, "dq_quarantine")
    open_lines = lines[lines["status"] == "open"]
    assert rows == (held["status"] == "open").sum() == len(open_lines[["source", "file_name", "row_number"]]
                                                               .drop_duplicates())
    assert checks == len(open_lines) == held.loc[held["status"] == "open", "checks_failed"].sum()
    assert checks > rows > 0, "the demo data plant rows failing several checks"
    assert mart(marts, "dq_freshness")["rows_held_back"].sum() == rows
    assert mart(marts, "dq_freshness")["checks_failed"].sum() == checks

    # the manifest
    manifest = json.loads((marts / "current" / "manifest.json").read_text())
    assert manifest["held_back"]["rows"] == manifest["rows_quarantined"]["open"] == rows
    assert manifest["held_back"]["checks_failed"] == checks
    assert manifest["held_back"]["rows_released"] == (held["status"] == "released").sum()
    assert sum(s["rows"] for s in manifest["held_back"]["by_source"].values()) == rows
    refused = mart(marts, "dq_refused_files")
    assert manifest["held_back"]["files_refused"] == len(refused)
    assert manifest["held_back"]["rows_in_refused_files"] == refused["rows_read"].sum()

    # the command line
    assert cli_main(["quarantine", "list", "--marts-dir", str(marts)]) == 0
    out = capsys.readouterr().out
    assert number(out, r"([\d,]+) rows? held back \(open\)") == rows
    assert number(out, r"([\d,]+) failed checks? among them") == checks
    target = tmp_path / "held-back.csv"
    assert cli_main(["quarantine", "export", "--marts-dir", str(marts), "--out", str(target)]) == 0
    exported = pd.read_csv(target, encoding="utf-8-sig")
    assert len(exported) == rows and exported["checks_failed"].sum() == checks

    # the overview's line, the Data quality page and the board pack
    monkeypatch.setenv("CX_MARTS_DIR", str(marts))
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception
    status = [p.proto.label for p in at.get("page_link") if "Data quality" in p.proto.label]
    assert status and number(status[0], r"([\d,]+) row\(s\) held back") == rows
    pack = board_pack.render(data.current_run(), data.complete_periods(data.current_run())[0])
    assert number(pack, r"refused and ([\d,]+) row\(s\)") == rows

    at = AppTest.from_file(str(APP), default_timeout=180)
    at.switch_page("pages/data_quality.py")
    at.run()
    assert not at.exception
    shown = texts(at)
    assert number(shown, r"Now \*\*([\d,]+) rows? held back\*\*") == rows
    assert number(shown, r"([\d,]+) rows? held back in quarantine") == rows
    assert number(shown, r"([\d,]+) failed checks? among them") == checks
    assert number(shown, r"\*\*([\d,]+) rows?\*\*, \*\*[\d,]+ failed checks?\*\*") == rows
    assert number(shown, r"\*\*[\d,]+ rows?\*\*, \*\*([\d,]+) failed checks?\*\*") == checks
    freshness = next(d.value for d in at.dataframe if "Rows held back" in d.value.columns)
    assert freshness["Rows held back"].sum() == rows
    assert any(e.label.startswith(f"{rows:,} rows held back") for e in at.expander)
    table = next(d.value for d in at.dataframe if "Checks failed" in d.value.columns)
    assert len(table) == rows
    # every difference explained in words
    if manifest["held_back"]["rows_released"]:
        assert "released when a later file delivered" in shown
    if len(refused):
        assert f"{len(refused)} files refused whole" in shown or "1 file refused whole" in shown


def test_a_row_failing_two_checks_is_one_row_held_back(tmp_path, capsys):
    raw, marts = tmp_path / "raw", tmp_path / "marts"
    write_extract(raw, "calls", "calls_20240304.csv", [
        # unknown queue, and answered while abandoned: two checks, one row
        ["C1", "NOPE", HASH_A, "2024-03-04 09:00:00", "2024-03-04 09:00:10", "2024-03-04 09:01:00", "abandoned", ""],
        ["C2", "waste", HASH_A, "2024-03-04 10:00:00", "2024-03-04 10:00:20", "2024-03-04 10:03:00", "answered", "Y"],
    ])
    assert run_pipeline(raw, marts, tmp_path / "state") == 0
    out = capsys.readouterr().out
    assert "1 row held back in quarantine (one per source record; 2 failed checks among them" in out
    held = mart(marts, "dq_held_back")
    assert len(held) == 1 and held["checks_failed"].iloc[0] == 2
    assert held["checks"].iloc[0] == "answered_at_only_if_answered; queue_known"
    manifest = json.loads((marts / "current" / "manifest.json").read_text())
    assert manifest["held_back"]["rows"] == 1 and manifest["held_back"]["checks_failed"] == 2
    assert cli_main(["quarantine", "list", "--marts-dir", str(marts)]) == 0
    listed = capsys.readouterr().out
    assert "calls/calls_20240304.csv row 1: answered_at_only_if_answered; queue_known" in listed


def test_a_name_hidden_by_one_check_is_hidden_on_every_line_of_its_row(tmp_path):
    raw, marts = tmp_path / "raw", tmp_path / "marts"
    write_extract(raw, "action_plan", "action_plan_2024-03.csv", [
        # owner_role is a person's name (masked by owner_is_a_role) and the status is unknown
        ["CX1-01", 1, "Open the hubs", "Jane Smith", "2024-06-30", "somewhere", "2024-03-31"],
        ["CX1-02", 1, "Webchat", "Head of Digital", "2024-06-30", "on_track", "2024-03-31"],
    ])
    assert run_pipeline(raw, marts, tmp_path / "state") == 0
    lines = mart(marts, "dq_quarantine")
    assert set(lines["check_name"]) == {"owner_is_a_role", "status_known"}
    assert not lines["record"].str.contains("Jane Smith").any()
    assert not mart(marts, "dq_held_back")["record"].str.contains("Jane Smith").any()


def test_pages_count_held_back_rows_not_failed_checks(marts_env):
    """The Data quality page's tables: one line per row, checks together."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.switch_page("pages/data_quality.py")
    at.run()
    table = next(d.value for d in at.dataframe if "Checks failed" in d.value.columns)
    held = mart(marts_env, "dq_held_back", "status = 'open'")
    assert len(table) == len(held)
    assert not table[["Source", "File", "Row"]].duplicated().any()
    assert sum(1 for el in walk(at.main) if getattr(el, "type", "") == "plotly_chart") >= 1
