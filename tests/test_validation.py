"""Expectation suites as files (pipelines/validation.py): loading, clear errors for
malformed files, and what each severity does to the data."""

from __future__ import annotations

import json
import shutil

import pytest

from pipelines import settings
from pipelines.contract import SOURCE_NAMES
from pipelines.validation import SuiteError, load_suite
from tests.helpers import HASH_A, mart, run_pipeline, write_extract

T0, T1, T2 = "2024-03-04 09:00:00", "2024-03-04 09:00:30", "2024-03-04 09:05:00"


@pytest.fixture
def suites(tmp_path, monkeypatch):
    """A private copy of expectations/ the test may edit, as an analyst would."""
    folder = tmp_path / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, folder)
    monkeypatch.setattr(settings, "EXPECTATIONS_DIR", folder)
    return folder


def edit(folder, source, fn):
    path = folder / f"{source}.json"
    doc = json.loads(path.read_text())
    fn(doc)
    path.write_text(json.dumps(doc, indent=2))


def test_every_suite_in_the_repository_loads():
    for source in SOURCE_NAMES:
        suite = load_suite(source)
        assert suite.checks and all(c.description for c in suite.checks)
        assert len({c.name for c in suite.checks}) == len(suite.checks), f"{source}: check names must be unique"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["expectations"].append({"type": "expect_column_values_to_be_purple", "kwargs": {"column": "queue"}}),
     "Great Expectations rejects it"),
    (lambda d: d["expectations"][0].update(severity="fatal"), "severity must be one of critical, warning, info"),
    (lambda d: d["expectations"][0]["meta"].update(on_failure="delete"), "meta.on_failure must be one of"),
    (lambda d: (d["expectations"][0].update(severity="warning"), d["expectations"][0]["meta"].update(
        on_failure="quarantine_rows")), "cannot have on_failure quarantine_rows"),
    (lambda d: d["expectations"][0]["kwargs"].update(mostly="lots"), "Great Expectations rejects it"),
    (lambda d: d["expectations"][0]["meta"].update(frame="nowhere"), "neither rows, answers nor a frame"),
    (lambda d: d.pop("expectations"), "expected an object with an 'expectations' list"),
])
def test_a_malformed_suite_names_the_file_and_the_problem(suites, mutate, message):
    edit(suites, "calls", mutate)
    with pytest.raises(SuiteError) as e:
        load_suite("calls")
    assert str(suites / "calls.json") in str(e.value) and message in str(e.value)


def test_invalid_json_gives_line_and_column(suites):
    (suites / "calls.json").write_text('{"name": "calls", "expectations": [\n  {"type": }\n]}')
    with pytest.raises(SuiteError, match=r"calls.json: not valid JSON at line 2, column 12"):
        load_suite("calls")


def test_a_malformed_suite_does_not_stop_the_nightly_run(tmp_path, suites):
    raw = tmp_path / "raw"
    write_extract(raw, "calls", "calls_1.csv", [["C1", "waste", HASH_A, T0, T1, T2, "answered", "Y"]])
    write_extract(raw, "workforce", "workforce_2024-03.csv", [["2024-03", "Resources", "100"]])
    (suites / "calls.json").write_text("{ not json")
    assert run_pipeline(raw, tmp_path / "marts", tmp_path / "state") == 0
    marts = tmp_path / "marts"
    errors = mart(marts, "dq_suite_errors")
    assert list(errors["source"]) == ["calls"] and "not valid JSON" in errors["message"][0]
    assert mart(marts, "fct_training_monthly").empty is False or len(mart(marts, "dq_files")) == 1
    assert list(mart(marts, "dq_files")["source"]) == ["workforce"]  # calls wait, untouched
    # once the file is mended, the waiting calls are processed on the next run
    shutil.copy(settings.REPO_ROOT / "expectations" / "calls.json", suites / "calls.json")
    assert run_pipeline(raw, marts, tmp_path / "state") == 0
    assert mart(marts, "fct_calls_monthly")["offered"].sum() == 1


def test_each_severity_does_what_it_says(tmp_path, suites):
    def add(doc):
        doc["expectations"] += [
            {"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "queue", "value_set": ["parking"]},
             "severity": "critical", "meta": {"name": "no_parking_refuse", "on_failure": "refuse_file",
                                              "description": "parking calls refuse the file"}},
            {"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "queue", "value_set": ["planning"]},
             "severity": "critical", "meta": {"name": "no_planning_quarantine", "description": "planning is held"}},
            {"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "queue", "value_set": ["registrars"]},
             "severity": "warning", "meta": {"name": "registrars_warning", "description": "registrars flagged"}},
            {"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "queue", "value_set": ["benefits"]},
             "severity": "info", "meta": {"name": "benefits_info", "description": "benefits noted"}},
        ]
    edit(suites, "calls", add)
    raw = tmp_path / "raw"
    call = lambda i, q: [f"C{i}", q, HASH_A, T0, T1, T2, "answered", "Y"]  # noqa: E731
    write_extract(raw, "calls", "a.csv", [call(1, "waste"), call(2, "planning"), call(3, "registrars"),
                                          call(4, "benefits")])
    write_extract(raw, "calls", "b.csv", [call(5, "waste"), call(6, "parking")])
    assert run_pipeline(raw, tmp_path / "marts", tmp_path / "state") == 0
    marts = tmp_path / "marts"
    assert list(mart(marts, "dq_refused_files")["file_name"]) == ["b.csv"]        # critical, refuse_file
    q = mart(marts, "dq_quarantine")
    assert list(q["check_name"]) == ["no_planning_quarantine"]                     # critical, quarantine
    published = mart(marts, "fct_calls_monthly").groupby("service")["offered"].sum().to_dict()
    assert published == {"waste": 1, "registrars": 1, "benefits": 1}              # warning and info publish
    checks = mart(marts, "dq_check_runs").set_index("check_name")
    assert checks.loc["registrars_warning", "rows_failed"] == 1
    assert checks.loc["benefits_info", "rows_failed"] == 1
    files = mart(marts, "dq_files").set_index("file_name")
    assert files.loc["a.csv", "rows_flagged"] == 2 and files.loc["a.csv", "rows_quarantined"] == 1
