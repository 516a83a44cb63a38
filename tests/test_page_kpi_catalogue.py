"""The KPI catalogue page in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from dashboard.formatting import fmt_value, period_label
from tests.helpers import kpi, mart
from tests.pages import dataframe_with, download_keys, open_page


def test_every_kpi_with_definition_source_owner_and_latest_value(marts_env):
    at = open_page("kpi_catalogue")
    cat = mart(marts_env, "dim_kpi")
    table = dataframe_with(at, "KPI", "Definition", "Unit", "Source", "Owner", "Latest value", "Baseline")
    assert sorted(table["Id"]) == sorted(cat["kpi_id"])
    period = mart(marts_env, "dim_periods", "is_complete")["period"].max()
    rows = table.set_index("Id")
    for k in cat[~cat["kpi_id"].str.startswith("survey.")].itertuples():
        published = kpi(marts_env, k.kpi_id, period)
        if published is not None:
            assert rows.loc[k.kpi_id, "Latest value"] == fmt_value(published["value"], k.unit, precise=True), k.kpi_id
        assert rows.loc[k.kpi_id, "Source"] == k.source and rows.loc[k.kpi_id, "Owner"] == k.owner
    assert "dl-catalogue" in download_keys(at) and "dl-targets" in download_keys(at)


def test_outcome_and_month_filters(marts_env):
    outcomes = mart(marts_env, "dim_outcomes")
    three = outcomes[outcomes["outcome"] == 3].iloc[0]
    period = sorted(mart(marts_env, "dim_periods", "is_complete")["period"])[2]
    at = open_page("kpi_catalogue", outcome=f"3: {three['short_name']}", period=period_label(period))
    table = dataframe_with(at, "KPI", "Definition", "Latest value")
    assert sorted(table["Id"]) == sorted(mart(marts_env, "dim_kpi", "outcome = 3")["kpi_id"])
    row = table.set_index("Id").loc["staff_trained_rate"]
    assert row["Period"] == period_label(period, short=True)
    assert row["Latest value"] == fmt_value(kpi(marts_env, "staff_trained_rate", period)["value"], "rate", precise=True)
