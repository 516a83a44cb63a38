"""The complaints page in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from dashboard.formatting import fmt_count, fmt_pct, period_label
from tests.helpers import mart
from tests.pages import GONE, charts_without_data, infos, metric, open_page, texts, thin_marts

__all__ = ["thin_marts"]


def latest(marts) -> str:
    return mart(marts, "dim_periods", "is_complete")["period"].max()


def test_month_figures_equal_the_mart(marts_env):
    period = latest(marts_env)
    at = open_page("complaints")
    m = mart(marts_env, "fct_complaints_monthly", "period = ?", [period])
    short = period_label(period, short=True)
    assert metric(at, f"Received in {short}") == fmt_count(m["received"].sum())
    assert metric(at, f"Answered in {short}") == fmt_count(m["responded"].sum())
    assert metric(at, "Answered on time") == fmt_pct(m["on_time"].sum() / m["responded"].sum())
    assert "By ward" in texts(at)
    assert charts_without_data(at) == []


def test_stage_and_directorate_filters_narrow_the_figures(marts_env):
    period = latest(marts_env)
    at = open_page("complaints", stage="Stage 1", directorate="Resources")
    m = mart(marts_env, "fct_complaints_monthly", "period = ? AND stage = '1' AND directorate = 'Resources'",
             [period])
    everyone = mart(marts_env, "fct_complaints_monthly", "period = ?", [period])
    assert m["received"].sum() < everyone["received"].sum()
    assert metric(at, f"Received in {period_label(period, short=True)}") == fmt_count(m["received"].sum())
    # the breakdown is by the directorate's services
    resources = set(mart(marts_env, "dim_services", "directorate = 'Resources'")["service_name"])
    table = [d.value for d in at.dataframe if "Name" in d.value.columns and "Received" in d.value.columns][0]
    assert set(table["Name"]) <= resources


def test_ward_filter_shows_the_ward_by_name(marts_env):
    at = open_page("complaints", ward="Bow East")
    shown = texts(at)
    assert "Bow East" in shown and "E05009" not in shown


def test_a_directorate_without_complaints_says_so(thin_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(thin_marts))
    at = open_page("complaints", directorate=GONE)
    assert infos(at) == [f"No complaints match these filters ({GONE} directorate) in this period."]
