"""The action plan page in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from tests.helpers import mart
from tests.pages import charts_without_data, infos, metric, open_page


def test_actions_and_overdue_as_published(marts_env):
    at = open_page("action_plan")
    latest = mart(marts_env, "fct_action_plan_latest")
    assert metric(at, "Actions") == str(len(latest))
    assert metric(at, "Overdue") == str(int(latest["is_overdue"].sum()))
    assert metric(at, "✓ Complete") == str(int((latest["status"] == "complete").sum()))
    every = max((d.value for d in at.dataframe if "Last report" in d.value.columns), key=len)
    assert sorted(every["Action"]) == sorted(latest["action_id"])
    # statuses in words and symbols, never colour alone
    assert set(every["Status"]) <= {"✓ Complete", "● On track", "! At risk", "✗ Off track", "– Not started"}
    assert charts_without_data(at) == []


def test_outcome_filter_narrows_the_actions(marts_env):
    outcomes = mart(marts_env, "dim_outcomes")
    two = outcomes[outcomes["outcome"] == 2].iloc[0]
    at = open_page("action_plan", outcome=f"2: {two['short_name']}")
    latest = mart(marts_env, "fct_action_plan_latest", "outcome = 2")
    assert metric(at, "Actions") == str(len(latest))
    every = max((d.value for d in at.dataframe if "Last report" in d.value.columns), key=len)
    assert set(every["Outcome"]) == {2}


def test_a_status_no_action_has_says_so(marts_env):
    latest = mart(marts_env, "fct_action_plan_latest")
    unused = [s for s, w in (("off_track", "✗ Off track"), ("at_risk", "! At risk"), ("not_started", "– Not started"))
              if s not in set(latest[latest["outcome"] == 2]["status"])]
    assert unused, "the demo plan uses every status in outcome 2"
    outcomes = mart(marts_env, "dim_outcomes")
    two = outcomes[outcomes["outcome"] == 2].iloc[0]
    words = {"off_track": "✗ Off track", "at_risk": "! At risk", "not_started": "– Not started"}
    at = open_page("action_plan", outcome=f"2: {two['short_name']}", status=words[unused[0]])
    assert infos(at) == ["No action matches these filters."]
