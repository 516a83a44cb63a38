"""Outcome 2 (feedback, data, technology) in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from tests.helpers import figure_as_shown, mart
from tests.pages import GONE, charts_without_data, infos, metric, open_page, thin_marts

__all__ = ["thin_marts"]


def latest(marts) -> str:
    return mart(marts, "dim_periods", "is_complete")["period"].max()


def breakdown_tables(at, dimension: str) -> list:
    return [d.value for d in at.dataframe if {dimension, "Value", "Status"} <= set(d.value.columns)]


def test_every_outcome_2_kpi_and_breakdowns_as_published(marts_env):
    at = open_page("outcome_2")
    period = latest(marts_env)
    cat = mart(marts_env, "dim_kpi", "outcome = 2")
    assert {m.label for m in at.metric} == set(cat["name"])
    for kpi_id in ("stage1_on_time_rate", "complaints_per_10k_contacts", "repeat_call_rate_7d",
                   "cost_per_contact_gbp"):
        row = cat[cat["kpi_id"] == kpi_id].iloc[0]
        assert metric(at, row["name"]) == figure_as_shown(marts_env, kpi_id, period), kpi_id
    # stage 1 on time by directorate: the table behind the bars is kpi_values for the month
    s1 = breakdown_tables(at, "Directorate")[0]
    pub = mart(marts_env, "kpi_values", "kpi_id = 'stage1_on_time_rate' AND period = ? "
               "AND breakdown LIKE 'directorate=%'", [period])
    expected = dict(zip(pub["breakdown"].str.split("=").str[1], pub["value"], strict=True))
    assert dict(zip(s1["Directorate"], s1["Value (unrounded)"], strict=True)) == expected
    # and as printed, by the status rule, beside each status
    for d, v in zip(s1["Directorate"], s1["Value"], strict=True):
        assert v == figure_as_shown(marts_env, "stage1_on_time_rate", period, f"directorate={d}")
    # unit cost by channel names channels as people read them, not codes
    channels = breakdown_tables(at, "Channel")
    assert any("Face to face" in set(t["Channel"]) for t in channels)
    assert charts_without_data(at) == []


def test_directorate_filter_breaks_down_by_its_services(marts_env):
    period = latest(marts_env)
    at = open_page("outcome_2", directorate="Place")
    assert metric(at, "Stage 1 complaints answered on time") == figure_as_shown(
        marts_env, "stage1_on_time_rate", period, "directorate=Place")
    place = set(mart(marts_env, "dim_services", "directorate = 'Place'")["service_name"])
    per10k = breakdown_tables(at, "Service")
    assert per10k and all(set(t["Service"]) <= place for t in per10k)


def test_a_directorate_without_data_says_so(thin_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(thin_marts))
    at = open_page("outcome_2", directorate=GONE)
    assert any(i.startswith("No figures for stage 1 complaints answered on time by service") for i in infos(at))
