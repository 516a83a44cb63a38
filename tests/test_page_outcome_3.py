"""Outcome 3 (customer-focused culture) in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from dashboard.formatting import fmt_value
from tests.helpers import kpi, mart
from tests.pages import GONE, charts_without_data, dataframe_with, infos, metric, open_page, texts, thin_marts

__all__ = ["thin_marts"]


def latest(marts) -> str:
    return mart(marts, "dim_periods", "is_complete")["period"].max()


def test_every_outcome_3_kpi_and_the_surveys_wave_by_wave(marts_env):
    at = open_page("outcome_3")
    period = latest(marts_env)
    cat = mart(marts_env, "dim_kpi", "outcome = 3")
    assert {m.label for m in at.metric} == set(cat["name"])
    for kpi_id, name in (("staff_trained_rate", "Staff trained in customer service"),
                         ("first_contact_resolution_rate", "Calls resolved at first contact")):
        assert metric(at, name) == fmt_value(kpi(marts_env, kpi_id, period)["value"], "rate")
    # the resident survey: every outcome-3 question, wave by wave, with its base
    waves = dataframe_with(at, "Question", "Wave", "Positive share", "Respondents (unweighted)")
    resident = mart(marts_env, "kpi_values", "kpi_id IN (SELECT 'survey.' || question_id FROM read_parquet("
                    f"'{marts_env / 'current' / 'dim_survey_questions.parquet'}') WHERE survey = 'resident') "
                    "AND breakdown = ''")
    names = dict(zip(cat["kpi_id"], cat["name"], strict=True))
    resident = resident[resident["kpi_id"].isin(names)]
    expected = {(names[r.kpi_id], r.period): (r.value, r.base_n) for r in resident.itertuples()}
    got = {(r[0], r[1]): (r[2], r[3]) for r in waves[["Question", "Wave", "Positive share",
                                                      "Respondents (unweighted)"]].itertuples(index=False)}
    assert got == expected
    assert "Data as at" in texts(at)
    assert charts_without_data(at) == []


def test_directorate_filter_narrows_staff_trained(marts_env):
    period = latest(marts_env)
    at = open_page("outcome_3", directorate="Resources")
    assert metric(at, "Staff trained in customer service") == fmt_value(
        kpi(marts_env, "staff_trained_rate", period, "directorate=Resources")["value"], "rate")
    resources = set(mart(marts_env, "dim_services", "directorate = 'Resources'")["service_name"])
    fcr = dataframe_with(at, "Service", "Value", "Status")
    assert set(fcr["Service"]) <= resources


def test_a_directorate_without_data_says_so(thin_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(thin_marts))
    at = open_page("outcome_3", directorate=GONE)
    assert any(i.startswith("No figures for calls resolved at first contact by service") for i in infos(at))
