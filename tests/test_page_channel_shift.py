"""The channel-shift page (CMT) in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from dashboard.formatting import fmt_gbp
from tests.helpers import mart
from tests.pages import GONE, charts_without_data, dataframe_with, infos, open_page, texts, thin_marts

__all__ = ["thin_marts"]


def test_contacts_targets_and_saving_as_published(marts_env):
    at = open_page("channel_shift")
    contacts = dataframe_with(at, "Month", "Phone", "Online self-service")
    m = mart(marts_env, "fct_contacts_monthly")
    for channel, name in (("phone", "Phone"), ("online", "Online self-service")):
        expected = m[m["channel"] == channel].groupby("period")["contacts"].sum()
        assert contacts.set_index("Month")[name].to_dict() == expected[contacts["Month"]].to_dict()
    # the strategy's March 2026 targets, one row a KPI with a target
    targets = mart(marts_env, "fct_strategy_targets")
    shown = dataframe_with(at, "Measure", "Met?")
    assert sorted(shown["Measure"]) == sorted(targets["name"])
    # the saving: only months whose costs are complete for every service and channel
    s = mart(marts_env, "fct_channel_shift_saving")
    complete = s.groupby("period")["costs_complete"].all()
    total = s[s["period"].isin(complete[complete].index)]["saving_gbp"].sum()
    saving = [x for x in at.metric if x.label.startswith("Saving over the")]
    assert saving and saving[0].value == fmt_gbp(total)
    assert f"{int(complete.sum())} costed month" in saving[0].label
    assert "How it is worked out" in texts(at)
    assert charts_without_data(at) == []


def test_channel_filter_keeps_one_channel(marts_env):
    at = open_page("channel_shift", channel="Phone")
    contacts = dataframe_with(at, "Month", "Phone")
    # the chosen channel, every channel's total and its share of them; no other channel
    assert list(contacts.columns) == ["Month", "Phone", "All channels", "Phone's share"]


def test_a_directorate_without_contacts_says_so(thin_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(thin_marts))
    at = open_page("channel_shift", directorate=GONE)
    shown = infos(at)
    assert f"No contacts recorded for {GONE} directorate in this period." in shown
    assert f"No costed months for {GONE} directorate in this period." in shown
