"""Impossible figures are data problems, not results (data contract s7), through the real pipeline:
a rate above 100% keeps its value in kpi_values but no status, is listed in dq_kpi_out_of_range
and counted in the manifest; and staff trained counts the same staff above and below the line
when a directorate's headcount is missing (the demo's July 2026: 114%)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.helpers import kpi, mart, run_pipeline, write_extract


def employees(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:031x}" for i in range(n)]


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    root = tmp_path_factory.mktemp("valid-range")
    raw = root / "raw"
    # a little contact data so March and April 2024 are months of the dashboard
    write_extract(raw, "contacts", "contacts_20240430.csv", [
        ["K1", "email", "waste", "", "2024-03-05 12:00:00", "Y", "N", "", ""],
        ["K2", "email", "waste", "", "2024-04-30 12:00:00", "Y", "N", "", ""],
    ])
    # March: the learning system still holds 1,004 Resources completions for a headcount of 1,000
    # (leavers it cannot tell from staff), and Place 251 for 250: 100.4% overall and in both
    write_extract(raw, "workforce", "workforce_2024-03.csv", [["2024-03", "Resources", "1000"],
                                                              ["2024-03", "Place", "250"]])
    # April: Place's snapshot exported as 0 (quarantined): its trained staff must not count either
    write_extract(raw, "workforce", "workforce_2024-04.csv", [["2024-04", "Resources", "1100"],
                                                              ["2024-04", "Place", "0"]])
    rows = [[h, "Resources", "customer_service", "2024-03-15"] for h in employees("a", 1004)]
    rows += [[h, "Place", "customer_service", "2024-03-15"] for h in employees("b", 251)]
    write_extract(raw, "staff_training", "training_2024-03.csv", rows)
    assert run_pipeline(raw, root / "marts", root / "state") == 0
    return root / "marts"


def test_a_rate_above_100_percent_is_a_data_problem_with_no_status(marts):
    row = kpi(marts, "staff_trained_rate", "2024-03")
    assert row["value"] == pytest.approx(1255 / 1250)  # 100.4%: kept, so it can be traced and recomputed
    assert pd.isna(row["rag"])  # never a published result with a status
    assert row["target"] == pytest.approx(0.5)  # the target in force is still said
    for d in ("Resources", "Place"):
        r = kpi(marts, "staff_trained_rate", "2024-03", f"directorate={d}")
        assert r["value"] > 1 and pd.isna(r["rag"]), d
    listed = mart(marts, "dq_kpi_out_of_range")
    assert set(listed["breakdown"]) == {"", "directorate=Resources", "directorate=Place"}
    assert (listed["problem"] == "above the valid range").all() and (listed["valid_max"] == 1).all()
    manifest = json.loads((marts / "current" / "manifest.json").read_text())
    assert manifest["kpi_values_out_of_range"] == 3
    timeline = mart(marts, "fct_kpi_timeline", "kpi_id = 'staff_trained_rate' AND period = '2024-03'")
    assert timeline["out_of_range"].all()
    # not a point of any process either
    assert mart(marts, "fct_kpi_spc", "kpi_id = 'staff_trained_rate' AND period = '2024-03'").empty


def test_staff_trained_counts_the_directorates_that_reported_a_headcount(marts):
    row = kpi(marts, "staff_trained_rate", "2024-04")
    # Resources only: 1,004 trained over 1,100 (not 1,255 over 1,100 = 114%)
    assert row["numerator"] == 1004 and row["denominator"] == 1100
    assert row["value"] == pytest.approx(1004 / 1100) and row["rag"] == "green"
    assert kpi(marts, "staff_trained_rate", "2024-04", "directorate=Place") is None
    assert mart(marts, "dq_kpi_out_of_range", "period = '2024-04'").empty


def test_a_figure_inside_its_range_is_not_listed(marts):
    listed = mart(marts, "dq_kpi_out_of_range")
    assert "email" not in set(listed["kpi_id"]) and set(listed["kpi_id"]) == {"staff_trained_rate"}
