"""The KPI catalogue page in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from dashboard import status
from dashboard.formatting import period_label
from tests.helpers import kpi, mart
from tests.pages import dataframe_with, download_keys, open_page


def test_every_kpi_with_definition_source_owner_and_latest_value(marts_env):
    at = open_page("kpi_catalogue")
    cat = mart(marts_env, "dim_kpi")
    table = dataframe_with(at, "KPI", "Definition", "Unit", "Source", "Owner", "Latest value", "Baseline")
    assert sorted(table["KPI"]) == sorted(cat["name"])
    assert "Id" not in table.columns  # internal codes are never shown (issue 12 item 6)
    period = mart(marts_env, "dim_periods", "is_complete")["period"].max()
    rows = table.set_index("KPI")
    for k in cat[cat["kind"] == "records"].itertuples():
        published = kpi(marts_env, k.kpi_id, period)
        if published is not None:
            # printed by the status rule: with the places that show which side of its target it is
            expected = status.shown_value(status.with_kpi(cat.set_index("kpi_id").loc[k.kpi_id], published))
            assert rows.loc[k.name, "Latest value"] == expected, k.kpi_id
        assert rows.loc[k.name, "Source"] == k.source and rows.loc[k.name, "Owner"] == k.owner
    assert "dl-catalogue" in download_keys(at) and "dl-targets" in download_keys(at)


def test_outcome_and_month_filters(marts_env):
    outcomes = mart(marts_env, "dim_outcomes")
    three = outcomes[outcomes["outcome"] == 3].iloc[0]
    period = sorted(mart(marts_env, "dim_periods", "is_complete")["period"])[2]
    at = open_page("kpi_catalogue", outcome=f"3: {three['short_name']}", period=period_label(period))
    table = dataframe_with(at, "KPI", "Definition", "Latest value")
    three = mart(marts_env, "dim_kpi", "outcome = 3")
    assert sorted(table["KPI"]) == sorted(three["name"])
    row = table.set_index("KPI").loc[three.set_index("kpi_id").loc["staff_trained_rate", "name"]]
    assert row["Period"] == period_label(period, short=True)
    info = three.set_index("kpi_id").loc["staff_trained_rate"]
    assert row["Latest value"] == status.shown_value(status.with_kpi(info, kpi(marts_env, "staff_trained_rate", period)))
