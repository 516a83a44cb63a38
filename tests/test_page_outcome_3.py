"""Outcome 3 (customer-focused culture) in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

import pandas as pd

from dashboard.formatting import fmt_change, period_label
from tests.helpers import figure_as_shown, mart
from tests.pages import (
    GONE,
    charts_without_data,
    dataframe_with,
    infos,
    metric,
    open_page,
    texts,
    thin_marts,
    walk,
)

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
        assert metric(at, name) == figure_as_shown(marts_env, kpi_id, period)
    # the resident survey: every outcome-3 question, wave by wave, with its base
    waves = dataframe_with(at, "Question", "Wave", "Positive share (unrounded)", "Respondents (unweighted)")
    resident = mart(marts_env, "kpi_values", "kpi_id IN (SELECT 'survey.' || question_id FROM read_parquet("
                    f"'{marts_env / 'current' / 'dim_survey_questions.parquet'}') WHERE survey = 'resident') "
                    "AND breakdown = ''")
    names = dict(zip(cat["kpi_id"], cat["name"], strict=True))
    resident = resident[resident["kpi_id"].isin(names)]
    expected = {(names[r.kpi_id], r.period): (r.value, r.base_n) for r in resident.itertuples()}
    got = {(r[0], r[1]): (r[2], r[3]) for r in waves[["Question", "Wave", "Positive share (unrounded)",
                                                      "Respondents (unweighted)"]].itertuples(index=False)}
    assert got == expected
    assert "Data as at" in texts(at)
    assert charts_without_data(at) == []


def test_directorate_filter_narrows_staff_trained(marts_env):
    period = latest(marts_env)
    at = open_page("outcome_3", directorate="Resources")
    assert metric(at, "Staff trained in customer service") == figure_as_shown(
        marts_env, "staff_trained_rate", period, "directorate=Resources")
    resources = set(mart(marts_env, "dim_services", "directorate = 'Resources'")["service_name"])
    fcr = dataframe_with(at, "Service", "Value", "Status")
    assert set(fcr["Service"]) <= resources


def test_a_directorate_without_data_says_so(thin_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(thin_marts))
    at = open_page("outcome_3", directorate=GONE)
    assert any(i.startswith("No figures for calls resolved at first contact by service") for i in infos(at))


def card_caption(at, name: str) -> str:
    """The caption of the KPI card whose metric is `name`."""
    for block in walk(at.main):
        if not isinstance(getattr(block, "children", None), dict):
            continue
        elements = list(walk(block))
        labels = [e.label for e in elements if getattr(e, "type", "") == "metric"]
        if labels == [name]:
            return "\n".join(e.value for e in elements if getattr(e, "type", "") == "caption")
    raise AssertionError(f"no card for {name}")


def test_survey_cards_say_whether_a_change_is_significant_and_show_bases(marts_env):
    at = open_page("outcome_3")
    changes = mart(marts_env, "fct_survey_change", "breakdown = ''")
    cat = mart(marts_env, "dim_kpi", "outcome = 3 AND kpi_id LIKE 'survey.%'")
    for k in cat.itertuples():
        card = [m for m in at.metric if m.label == k.name][0]
        rows = changes[changes["kpi_id"] == k.kpi_id].sort_values("period_month")
        latest = rows.iloc[-1]
        caption = card_caption(at, k.name)
        assert latest["change_words"][:1].upper() + latest["change_words"][1:] in caption, k.kpi_id
        assert f"Base {int(latest['base_n']):,} respondents" in caption
        # a direction only for a significant change: no arrow for noise
        significant = not pd.isna(latest["significant"]) and bool(latest["significant"])
        assert (card.proto.delta != "") == significant, k.kpi_id
    # the latest-wave table says the same in words, with the bases
    latest_table = dataframe_with(at, "Question", "Respondents", "Change on the previous wave")
    assert not latest_table["Change on the previous wave"].str.contains("↑|↓").any()


def test_a_significant_change_is_named_with_its_direction(marts_env):
    """On the post-contact survey of December 2024 'found it easy' rose significantly (the demo's data)."""
    changes = mart(marts_env, "fct_survey_change", "breakdown = '' AND kpi_id = 'survey.txn_easy'")
    row = changes[changes["period"] == "2024-12"].iloc[0]
    assert row["significant"] and row["change_words"] == "significant rise"
    quiet = changes[(changes["significant"] == False) & (changes["period"] > "2024-12")].iloc[0]  # noqa: E712
    at = open_page("outcome_2", period="December 2024")
    card = [m for m in at.metric if m.label == "Found it easy (post-contact survey)"][0]
    # a monthly measure: no arrow (its variation is said instead); the test's words stay in the caption
    assert card.proto.delta == ""
    caption = card_caption(at, "Found it easy (post-contact survey)")
    assert "Significant rise on Nov 2024" in caption and f"{fmt_change(row['change'], 'rate')}" in caption
    # a month where the change is not significant: words, no direction
    at = open_page("outcome_2", period=period_label(quiet["period"]))
    card = [m for m in at.metric if m.label == "Found it easy (post-contact survey)"][0]
    assert card.proto.delta == ""
    assert "No significant change on" in card_caption(at, "Found it easy (post-contact survey)")
