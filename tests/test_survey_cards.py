"""KPI cards of survey figures (Board overview, outcome pages) in AppTest on the demo marts:
a change that is noise is said in words with no arrow; a real one says it is significant."""

from __future__ import annotations

from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from dashboard import data
from tests.helpers import mart


def survey_cards() -> None:
    """Every survey KPI's card for the month in session state, as the overview and outcome pages draw them."""
    import streamlit as st

    from dashboard import components, data

    run = data.current_run()
    card = data.scorecard(run, st.session_state["period"], headline_only=False)
    components.scorecard_grid(card[card["kpi_id"].str.startswith("survey.")].reset_index(drop=True))


def test_survey_cards_never_show_an_arrow_for_noise(marts_env):
    run = data.current_run()
    change = mart(marts_env, "fct_survey_change", "breakdown = ''")
    checked = {"noise": 0, "significant": 0}
    for period in data.complete_periods(run):
        at = AppTest.from_function(survey_cards, default_timeout=120)
        at.session_state["period"] = period
        at.run()
        assert not at.exception
        card = data.scorecard(run, period, headline_only=False)
        survey = card[card["kpi_id"].str.startswith("survey.") & card["previous_value"].notna()]
        metrics = {m.label: m for m in at.metric}
        for row in survey.itertuples():
            m = metrics[row.name]
            words = change[(change["kpi_id"] == row.kpi_id) & (change["period"] == row.period)]
            assert len(words) == 1
            words = words["change_words"].iloc[0]
            captions = " ".join(c.value for c in at.caption)
            if words == "no significant change":
                assert not m.delta, m.delta  # noise: no change figure, so no arrow
                assert m.proto.direction == MetricProto.MetricDirection.NONE
                assert "No significant change on" in captions  # said in words instead
                checked["noise"] += 1
            elif words.startswith("significant"):
                if row.cadence == "monthly":  # variation, not arrows, for a monthly measure
                    assert not m.delta, m.delta
                else:
                    assert m.delta and m.proto.direction != MetricProto.MetricDirection.NONE, m.delta
                assert words.capitalize() in captions  # 'Significant rise on ...'
                checked["significant"] += 1
            else:
                assert not m.delta  # nothing to compare: no change shown
    assert checked["noise"] > 0 and checked["significant"] > 0  # the demo has both kinds to show
