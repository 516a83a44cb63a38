"""Outcome 1 (accessible and inclusive) in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from dashboard.formatting import fmt_value, period_label
from tests.helpers import figure_as_shown, kpi, mart
from tests.pages import GONE, charts_without_data, dataframe_with, infos, metric, open_page, texts, thin_marts

__all__ = ["thin_marts"]


def latest(marts) -> str:
    return mart(marts, "dim_periods", "is_complete")["period"].max()


def test_every_outcome_1_kpi_with_the_published_figures(marts_env):
    at = open_page("outcome_1")
    period = latest(marts_env)
    cat = mart(marts_env, "dim_kpi", "outcome = 1")
    assert {m.label for m in at.metric} == set(cat["name"])
    for kpi_id, name in (("call_answer_rate", "Calls answered"), ("calls_answered_60s_rate",
                                                                   "Calls answered within 60 seconds"),
                         ("avg_speed_of_answer_s", "Average wait to be answered"),
                         ("online_completion_rate", "Online transactions completed")):
        assert metric(at, name) == figure_as_shown(marts_env, kpi_id, period), kpi_id
    shown = texts(at)
    assert "Data as at" in shown and period_label(period) in shown
    # contacts by channel: the table behind the charts is the mart's, month by month
    table = dataframe_with(at, "Month", "Phone")
    contacts = mart(marts_env, "fct_contacts_monthly")
    expected = contacts[contacts["channel"] == "phone"].groupby("period")["contacts"].sum()
    got = table.set_index("Month")["Phone"]
    assert len(got) == 13 or len(got) == len(expected)
    for p, v in got.items():
        assert v == expected[p], p
    # the equality view: digital take-up by age band, as published
    ages = dataframe_with(at, "Age band", "Value")
    pub = mart(marts_env, "kpi_values", "kpi_id = 'digital_share' AND period = ? AND breakdown LIKE 'age_band=%'",
               [period])
    assert sorted(ages["Age band"]) == sorted(b.split("=")[1] for b in pub["breakdown"])
    assert charts_without_data(at) == []


def test_directorate_filter_narrows_the_figures(marts_env):
    period = latest(marts_env)
    at = open_page("outcome_1", directorate="Place")
    assert metric(at, "Calls answered") == figure_as_shown(marts_env, "call_answer_rate", period, "directorate=Place")
    place = kpi(marts_env, "contacts_total", period, "directorate=Place")["value"]
    assert place < kpi(marts_env, "contacts_total", period)["value"]
    assert metric(at, "Contacts, all channels") == fmt_value(place, "count")
    table = dataframe_with(at, "Month", "Phone")
    contacts = mart(marts_env, "fct_contacts_monthly", "directorate = 'Place' AND channel = 'phone'")
    assert table["Phone"].sum() == contacts[contacts["period"].isin(table["Month"])]["contacts"].sum()
    assert "Place directorate" in texts(at)


def test_service_and_month_from_the_url(marts_env):
    period = sorted(mart(marts_env, "dim_periods", "is_complete")["period"])[3]
    at = open_page("outcome_1", period=period_label(period), service="Waste and recycling")
    assert at.sidebar.selectbox(key="period").value == period
    assert at.sidebar.selectbox(key="service").value == "waste"
    assert metric(at, "Calls answered") == figure_as_shown(marts_env, "call_answer_rate", period, "service=waste")


def test_a_directorate_without_data_says_so(thin_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(thin_marts))
    at = open_page("outcome_1", directorate=GONE)
    assert f"No contacts recorded for {GONE} directorate in this period." in infos(at)
    assert (f"Not broken down by directorate ({GONE} chosen): it is not published at this level, so the whole "
            "council is shown.") in texts(at)
