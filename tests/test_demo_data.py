"""The demo-data generator: contract shape, calendar, calibration, reproducibility, faults.

One small data set (scale 0.05, Jan-Nov 2023) is generated once for the module
through the public CLI; a few short extra runs cover the 2021 survey wave,
--no-faults, --scale, other seeds and the Excel cost deliveries.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
import yaml

from pipelines.cli import main as cli_main
from pipelines.settings import CONTRACT_FILE, REFERENCE_DIR

pytestmark = pytest.mark.xdist_group("demo_data")

MAIN_ARGS = ["--seed", "7", "--scale", "0.05", "--start", "2023-01", "--end", "2023-11"]
SOURCES = ["calls", "contacts", "channel_costs", "complaints", "survey_responses", "staff_training", "workforce",
           "action_plan"]
TS = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
DATE = re.compile(r"\d{4}-\d\d-\d\d")
MONTH = re.compile(r"\d{4}-\d\d")
HASH = re.compile(r"[0-9a-f]{32}")
POSITIVE = {"Strongly agree", "Agree", "Very satisfied", "Satisfied"}


def generate(raw: Path, *args: str) -> Path:
    assert cli_main(["demo-data", "--raw-dir", str(raw), *args]) == 0
    return raw


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (all text, '' for empty) of a CSV or xlsx delivery."""
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        values = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    else:
        with open(path, newline="", encoding="utf-8") as f:
            values = list(csv.reader(f))
    header = [str(h) for h in values[0]]
    # a read-only sheet drops empty cells at the end of a row
    return header, [dict(zip(header, list(r) + [""] * (len(header) - len(r)), strict=True)) for r in values[1:]]


def files(raw: Path, source: str) -> list[Path]:
    return sorted(p for p in (raw / source).iterdir() if p.is_file())


def faults_of(raw: Path) -> list[dict]:
    return json.loads((raw / "_demo_faults.json").read_text())


def faulty_rows(raw: Path) -> dict[str, set[int]]:
    """file name -> data rows planted with a fault (corrections are valid rows)."""
    out = defaultdict(set)
    for f in faults_of(raw):
        if f["row_number"] and f["kind"] != "correction":
            out[f["file"]].add(f["row_number"])
    return out


def weighted_positive(rows: list[dict], question: str) -> float:
    answered = [r for r in rows if r[question] != ""]
    w = [float(r.get("weight") or 1) for r in answered]
    pos = sum(wi for wi, r in zip(w, answered, strict=True) if r[question] in POSITIVE)
    return 100 * pos / sum(w)


def tree_digest(raw: Path) -> dict[str, str]:
    return {str(p.relative_to(raw)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(raw.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("demo") / "raw", *MAIN_ARGS)


@pytest.fixture(scope="module")
def contract() -> dict:
    return yaml.safe_load(CONTRACT_FILE.read_text())["sources"]


@pytest.fixture(scope="module")
def bank_holidays() -> set[dt.date]:
    with open(REFERENCE_DIR / "bank_holidays.csv", newline="") as f:
        return {dt.date.fromisoformat(r["holiday_date"]) for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def reference() -> dict:
    def rows(name):
        with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    return {"services": {r["service_code"]: r["directorate"] for r in rows("services.csv")},
            "wards": {r["ward_code"] for r in rows("wards.csv")},
            "questions": {r["question_id"]: r["answer_scale"].split("|") for r in rows("survey_questions.csv")},
            "sites": {r["site"] for r in rows("sites.csv")}}


# --------------------------------------------------------------------------- shape
def test_every_source_has_files_with_exactly_the_contract_columns(raw, contract, reference):
    refused = {f["file"] for f in faults_of(raw) if f["kind"] == "missing_column"}
    for source in SOURCES:
        delivered = files(raw, source)
        assert delivered, f"no files for {source}"
        columns = contract[source]["columns"]
        required = {c for c, spec in columns.items() if spec.get("required")}
        for path in delivered:
            header, _ = read_table(path)
            assert len(header) == len(set(header)), path.name
            if path.name in refused:
                assert set(header) == set(columns) - {"outcome"}
            elif source == "survey_responses":
                assert required <= set(header), path.name
                assert set(header) <= set(columns) | set(reference["questions"]), path.name
            else:
                assert header == list(columns), path.name


def test_file_names_sort_in_delivery_order(raw):
    calls = [p.name for p in files(raw, "calls")]
    assert calls == sorted(calls) and calls[0] == "calls_20230103.csv"  # 1 and 2 Jan 2023 closed
    costs = [p.name for p in files(raw, "channel_costs")]
    corrected = [n for n in costs if "_v2" in n]
    assert len(corrected) == 1
    original = corrected[0].replace("_v2", "")
    assert costs.index(original) + 1 == costs.index(corrected[0])
    assert [p.name for p in files(raw, "action_plan")] == ["action_plan_2023-10.csv", "action_plan_2023-11.csv"]
    surveys = {p.name for p in files(raw, "survey_responses")}
    assert {"resident_2023-06.xlsx", "business_2023-06.csv", "staff_2023-07.csv", "transactional_2023-01.csv"} <= surveys


def test_timestamps_dates_and_months_have_the_exact_formats(raw):
    bad = faulty_rows(raw)
    checks = {"calls": {"offered_at": TS, "answered_at": TS, "ended_at": TS},
              "contacts": {"started_at": TS},
              "complaints": {"received_on": DATE, "responded_on": DATE},
              "staff_training": {"completed_on": DATE},
              "workforce": {"month": MONTH},
              "channel_costs": {"month": MONTH},
              "action_plan": {"due_on": DATE, "reported_on": DATE},
              "survey_responses": {"responded_on": DATE}}
    for source, cols in checks.items():
        for path in files(raw, source):
            _, rows = read_table(path)
            for i, row in enumerate(rows, start=1):
                if i in bad[path.name]:
                    continue
                for col, pattern in cols.items():
                    value = row.get(col, "")
                    if value == "":
                        continue
                    assert pattern.fullmatch(value), (path.name, i, col, value)
                    if pattern is TS:
                        dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
                    elif pattern is DATE:
                        dt.date.fromisoformat(value)


# --------------------------------------------------------------------------- calls
def test_no_calls_on_weekends_or_bank_holidays(raw, bank_holidays):
    days = set()
    for path in files(raw, "calls"):
        day = dt.datetime.strptime(path.name[6:14], "%Y%m%d").date()
        days.add(day)
        assert day.weekday() < 5 and day not in bank_holidays, path.name
        _, rows = read_table(path)
        for row in rows:
            if TS.fullmatch(row["offered_at"]):
                offered = dt.datetime.strptime(row["offered_at"], "%Y-%m-%d %H:%M:%S")
                assert offered.weekday() < 5 and offered.date() not in bank_holidays
                assert dt.time(9) <= offered.time() < dt.time(17)
    assert dt.date(2023, 4, 7) not in days and dt.date(2023, 4, 10) not in days  # Easter 2023
    assert dt.date(2023, 4, 6) in days and dt.date(2023, 4, 11) in days


def test_mondays_are_busier_than_other_weekdays(raw):
    per_day = defaultdict(list)
    for path in files(raw, "calls"):
        if "_resend" in path.name:
            continue
        day = dt.datetime.strptime(path.name[6:14], "%Y%m%d").date()
        per_day[day.weekday()].append(len(read_table(path)[1]))
    mean = {d: sum(v) / len(v) for d, v in per_day.items()}
    others = sum(mean[d] for d in range(1, 5)) / 4
    assert mean[0] > 1.12 * others, mean


def test_call_rows_follow_the_contract_rules(raw, reference):
    bad = faulty_rows(raw)
    seen_ids = set()
    answered = total = 0
    for path in files(raw, "calls"):
        if "_resend" in path.name:
            continue
        _, rows = read_table(path)
        for i, row in enumerate(rows, start=1):
            if i in bad[path.name] or "outcome" not in row:
                continue
            total += 1
            assert row["queue"] in reference["services"]
            assert row["caller_hash"] == "" or HASH.fullmatch(row["caller_hash"])
            assert row["outcome"] in ("answered", "abandoned")
            assert row["ended_at"] >= row["offered_at"]
            if row["outcome"] == "answered":
                answered += 1
                assert row["offered_at"] <= row["answered_at"] <= row["ended_at"]
            else:
                assert row["answered_at"] == "" and row["first_contact_resolved"] == ""
            assert row["first_contact_resolved"] in ("", "Y", "N")
            seen_ids.add(row["call_id"])
    assert 0.8 < answered / total < 0.97


# --------------------------------------------------------------------------- other sources
def test_contacts_complaints_and_costs_are_consistent_with_the_reference(raw, reference):
    bad = faulty_rows(raw)
    refused = {f["file"] for f in faults_of(raw) if f["kind"] == "phone_number_in_pseudonymised_column"}
    channels = defaultdict(int)
    for path in files(raw, "contacts"):
        _, rows = read_table(path)
        for i, row in enumerate(rows, start=1):
            if i in bad[path.name]:
                continue
            channels[row["channel"]] += 1
            assert row["service"] in reference["services"]
            if path.name not in refused:
                assert row["customer_hash"] == "" or HASH.fullmatch(row["customer_hash"])
            if row["channel"] == "face_to_face":
                assert row["site"] in reference["sites"] and row["started_at"][11:13] < "17"
            else:
                assert row["site"] == "" and row["completed"] in ("Y", "N") and row["assisted"] == "N"
                assert row["channel"] == "online" or row["completed"] == "Y"
    assert set(channels) == {"online", "email", "webchat", "social_media", "face_to_face"}
    cases = 0
    for path in files(raw, "complaints"):
        _, rows = read_table(path)
        for i, row in enumerate(rows, start=1):
            assert re.fullmatch(r"CMP-20\d\d-\d{6}", row["case_ref"])
            assert row["directorate"] == reference["services"][row["service"]]
            if i in bad[path.name]:
                continue
            cases += row["stage"] == "1"
            assert row["ward_code"] == "" or row["ward_code"] in reference["wards"]
            assert row["responded_on"] == "" or row["responded_on"] >= row["received_on"]
            assert (row["responded_on"] == "") == (row["outcome"] == "")
    assert cases > 50
    for path in files(raw, "channel_costs"):
        for i, row in enumerate(read_table(path)[1], start=1):
            if i not in bad[path.name]:
                assert float(row["cost_gbp"]) >= 0


def test_complaints_still_open_are_answered_in_a_later_file(raw):
    latest, first_seen_open = {}, set()
    for path in files(raw, "complaints"):
        for row in read_table(path)[1]:
            key = (row["case_ref"], row["stage"])
            if key not in latest and row["outcome"] == "":
                first_seen_open.add(key)
            latest[key] = row
    corrected = [k for k in first_seen_open if latest[k]["outcome"] != ""]
    assert corrected, "open cases are never completed in a later file"
    assert any(latest[k]["outcome"] == "" for k in first_seen_open)  # the last weeks stay open


def test_training_and_headcount(raw):
    bad = faulty_rows(raw)
    heads, heads_prev = defaultdict(int), {}
    for path in files(raw, "workforce"):
        for i, row in enumerate(read_table(path)[1], start=1):
            if i in bad[path.name]:  # the planted zero: use last month's figure
                row["headcount"] = str(heads_prev[row["directorate"]])
            heads[row["month"]] += int(row["headcount"])
            heads_prev[row["directorate"]] = int(row["headcount"])
    assert all(4000 < h < 5200 for h in heads.values()), heads
    assert heads["2023-11"] - heads["2023-10"] > 400  # housing brought in-house
    trained = set()
    rate = {}
    for path in files(raw, "staff_training"):
        month = path.stem[-7:]
        for row in read_table(path)[1]:
            assert HASH.fullmatch(row["employee_hash"])
            if row["course"] == "customer_service":
                trained.add(row["employee_hash"])
        rate[month] = len(trained) / heads[month]
    assert 0.26 < rate["2023-07"] < 0.37  # staff survey baseline 31%


# --------------------------------------------------------------------------- surveys
def test_resident_wave_2023_reproduces_the_published_figures(raw, reference):
    header, rows = read_table(raw / "survey_responses" / "resident_2023-06.xlsx")
    assert len(rows) == 1108
    assert len({r["response_id"] for r in rows}) == 1108
    published = {"staff_helpful_polite": 83, "staff_knowledgeable": 76, "access_easy": 67, "responded_on_time": 66,
                 "right_person_first_time": 56}
    for q, target in published.items():
        assert abs(weighted_positive(rows, q) - target) <= 0.5, q
        assert {r[q] for r in rows} <= set(reference["questions"][q]) | {""}
    weights = [float(r["weight"]) for r in rows]
    assert min(weights) >= 0.3 and max(weights) <= 3
    # the sample as published, weighted back to the Census age profile
    share = defaultdict(float)
    for r, w in zip(rows, weights, strict=True):
        share[r["age_band"]] += w / sum(weights)
    assert abs(share["25-34"] - 0.325) < 0.01 and abs(share["65+"] - 0.075) < 0.01
    assert sum(r["gender"] == "Male" for r in rows) == 554
    # realistic group differences: older residents find access harder
    older = [r for r in rows if r["age_band"] == "65+"]
    assert weighted_positive(older, "access_easy") < weighted_positive(rows, "access_easy") - 5


def test_resident_wave_2021_reproduces_the_published_figures(tmp_path):
    raw = generate(tmp_path / "raw", "--seed", "7", "--scale", "0.01", "--start", "2021-04", "--end", "2021-06")
    _, rows = read_table(raw / "survey_responses" / "resident_2021-06.xlsx")
    assert len(rows) == 1108
    published = {"council_friendly_polite": 73, "council_hard_to_reach_by_phone": 59, "council_responds_quickly": 44,
                 "council_doing_good_job": 32}
    for q, target in published.items():
        assert abs(weighted_positive(rows, q) - target) <= 0.5, q


def test_small_waves_and_transactional_survey(raw):
    _, biz = read_table(raw / "survey_responses" / "business_2023-06.csv")
    assert len(biz) == 50 and weighted_positive(biz, "biz_promise_clear") == 98
    assert all(r["age_band"] == "" and r["ward_code"] for r in biz)
    _, staff = read_table(raw / "survey_responses" / "staff_2023-07.csv")
    assert len(staff) == 145 and abs(weighted_positive(staff, "staff_had_cs_training") - 31) < 0.5
    ids = set()
    for path in files(raw, "survey_responses"):
        for row in read_table(path)[1]:
            assert row["response_id"] not in ids
            ids.add(row["response_id"])
    _, txn = read_table(raw / "survey_responses" / "transactional_2023-05.csv")
    assert 350 <= len(txn) <= 450 and all(r["channel"] and r["service"] for r in txn)


# --------------------------------------------------------------------------- reproducibility and options
def test_same_seed_gives_identical_bytes(raw, tmp_path):
    again = generate(tmp_path / "again", *MAIN_ARGS)
    assert tree_digest(again) == tree_digest(raw)


def test_different_seed_gives_different_data_and_costs_switch_to_excel(tmp_path):
    args = ["--scale", "0.02", "--start", "2025-03", "--end", "2025-04"]
    a = generate(tmp_path / "a", "--seed", "1", *args)
    b = generate(tmp_path / "b", "--seed", "2", *args)
    da, db = tree_digest(a), tree_digest(b)
    assert da.keys() & db.keys()
    assert all(da[k] != db[k] for k in ("calls/calls_20250401.csv", "contacts/contacts_20250401.csv"))
    assert (a / "channel_costs" / "channel_costs_2025-03.csv").exists()
    ws = openpyxl.load_workbook(a / "channel_costs" / "channel_costs_2025-04.xlsx").worksheets[0]
    header, *rows = list(ws.iter_rows(values_only=True))
    assert header == ("month", "channel", "cost_gbp")
    assert all(r[0] == "2025-04" and isinstance(r[2], float) for r in rows)


def test_no_faults_plants_none(tmp_path, reference):
    raw = generate(tmp_path / "raw", "--seed", "7", "--scale", "0.05", "--start", "2023-03", "--end", "2023-04",
                   "--no-faults")
    assert faults_of(raw) == []
    assert not [p for p in raw.rglob("*") if "_resend" in p.name]
    for path in files(raw, "calls"):
        header, rows = read_table(path)
        assert "outcome" in header
        for row in rows:
            assert row["call_id"] and row["queue"] in reference["services"] and TS.fullmatch(row["offered_at"])
            assert row["outcome"] in ("answered", "abandoned")
            assert (row["answered_at"] == "") == (row["outcome"] == "abandoned")
    for path in files(raw, "contacts"):
        assert all(r["customer_hash"] == "" or HASH.fullmatch(r["customer_hash"]) for r in read_table(path)[1])


def test_scale_multiplies_call_volume(raw, tmp_path):
    bigger = generate(tmp_path / "raw", "--seed", "7", "--scale", "0.1", "--start", "2023-02", "--end", "2023-03",
                      "--no-faults")

    def calls_in(folder, months):
        return sum(len(read_table(p)[1]) for p in files(folder, "calls")
                   if p.name[6:12] in months and "_resend" not in p.name)

    ratio = calls_in(bigger, {"202302", "202303"}) / calls_in(raw, {"202302", "202303"})
    assert 1.8 < ratio < 2.2


def test_existing_extracts_are_kept_unless_overwrite(raw, tmp_path, capfd):
    assert cli_main(["demo-data", "--raw-dir", str(raw), *MAIN_ARGS]) == 1
    assert "--overwrite" in capfd.readouterr().err


# --------------------------------------------------------------------------- the fault list
def test_every_listed_fault_is_in_the_named_file_and_row(raw):
    faults = faults_of(raw)
    kinds = {f["kind"] for f in faults}
    assert {"missing_column", "duplicate_file", "phone_number_in_pseudonymised_column", "negative_cost",
            "unknown_ward", "responded_before_received", "unknown_answer_label", "person_name_in_owner_role",
            "correction"} <= kinds
    earlier_ids = set()
    for path in files(raw, "calls"):
        if "_resend" not in path.name:
            earlier_ids |= {r["call_id"] for r in read_table(path)[1]}
    for f in faults:
        path = raw / f["source"] / f["file"]
        assert path.exists(), f
        header, rows = read_table(path)
        if f["kind"] == "missing_column":
            assert f["column"] not in header
        elif f["kind"] == "duplicate_file":
            assert path.read_bytes() == (path.parent / f["value"]).read_bytes()
        else:
            row = rows[f["row_number"] - 1]
            assert str(row[f["column"]]) == ("" if f["value"] is None else str(f["value"])), f
            if f["kind"] == "correction":
                assert row["call_id"] in earlier_ids and not row["call_id"].startswith("C" + f["file"][6:14])
            if f["kind"] == "phone_number_in_pseudonymised_column":
                assert re.fullmatch(r"07700 900\d{3}", row["customer_hash"])
