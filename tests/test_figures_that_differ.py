"""Figures of the same name say their base; a survey change across a change of
weighting method is flagged in the mart, on the card and in the wave tables
(issue 10 item 8)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.components import survey_change_text
from dashboard.formatting import kpi_label
from tests.helpers import mart
from tests.pages import APP, texts

METHODOLOGY = Path(__file__).resolve().parent.parent / "dashboard" / "methodology" / "40_figures_that_differ.md"


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def method_changes(marts: Path) -> pd.DataFrame:
    """Waves weighted another way than the survey's wave before, recomputed from fct_survey_weighting."""
    w = mart(marts, "fct_survey_weighting").sort_values(["survey", "wave_month", "wave"])
    w["previous_wave"] = w.groupby("survey")["wave"].shift()
    w["previous_weights"] = w.groupby("survey")["weights"].shift()
    return w[w["previous_weights"].notna() & (w["weights"] != w["previous_weights"])]


def test_a_change_of_weighting_method_is_flagged_in_the_mart(long_demo_marts):
    changed = method_changes(long_demo_marts)
    assert len(changed), "the demo data hold a resident wave raked by the pipeline after agency-weighted ones"
    change = mart(long_demo_marts, "fct_survey_change")
    tested = change[change["previous_period"].notna()]
    flagged = set(zip(changed["survey"], changed["wave"], changed["previous_wave"], strict=True))
    expected = [(s, p, q) in flagged for s, p, q in zip(tested["survey"], tested["period"],
                                                          tested["previous_period"], strict=True)]
    assert tested["weighting_changed"].tolist() == expected
    assert not change.loc[change["previous_period"].isna(), "weighting_changed"].any()
    row = tested[tested["weighting_changed"]].iloc[0]
    assert row["weighting_note"].startswith(f"{row['previous_period']} ") and row["period"] in row["weighting_note"]


def test_the_card_and_the_wave_tables_say_so(long_demo_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(long_demo_marts))
    changed = method_changes(long_demo_marts)
    resident = changed[changed["survey"] == "resident"].iloc[-1]
    month = resident["wave_month"]  # the month of the wave: it is the latest wave on the cards
    label = pd.Timestamp(f"{month}-01").strftime("%B %Y")
    words = "Weighting changed"

    at = open_page("outcome_3", period=label)
    captions = "\n".join(c.value for c in at.caption)
    assert words in captions and resident["wave"] in captions  # on the resident survey cards
    waves = next(d.value for d in at.dataframe if "Change on the previous wave" in d.value.columns
                 and "Wave" in d.value.columns and len(d.value) > 3)
    flagged = waves[waves["Change on the previous wave"].str.contains(words)]
    assert set(flagged["Wave"]) == {resident["wave"]}

    at = open_page("voice_of_the_customer", period=label)
    table = next(d.value for d in at.dataframe if "Change on previous wave" in d.value.columns and "Wave" in d.value)
    assert set(table.loc[table["Change on previous wave"].str.contains(words), "Wave"]) == {resident["wave"]}
    weighting = next(t.value for t in at.table if "Method changed" in t.value.columns)
    assert weighting.loc[resident["wave"], "Method changed"].startswith("yes")


def test_change_text_without_a_method_change_is_unchanged():
    row = {"change_words": "no significant change", "previous_period": "2024-06", "significant": False,
           "change": 0.01, "unit": "rate", "weighting_changed": False}
    assert survey_change_text(row) == "no significant change on Jun 2024"
    row |= {"weighting_changed": True, "weighting_note": "2024-06 weighted by the agency, 2025-06 raked by the pipeline"}
    assert survey_change_text(row) == ("no significant change on Jun 2024. Weighting changed (2024-06 weighted by "
                                       "the agency, 2025-06 raked by the pipeline): part of the change may be the "
                                       "method")


def test_each_digital_take_up_figure_says_its_base(marts_env):
    cat = mart(marts_env, "dim_kpi").set_index("kpi_id")
    headline = kpi_label(cat.loc["digital_share"].to_dict() | {"name": cat.loc["digital_share", "name"]})
    by_age = kpi_label(cat.loc["digital_share"].to_dict() | {"name": cat.loc["digital_share", "name"]}, "age_band")
    assert headline == "Digital take-up (all contacts)"
    assert by_age == "Digital take-up (contacts that record an age)"
    at = open_page("outcome_1")
    shown = texts(at)
    assert f"**{headline}**" in shown  # the card
    assert f"{by_age} by age band" in shown  # the chart by age band
    assert f"{headline} · the whole council" in shown  # the trend
    measures = set(mart(marts_env, "fct_equality_gaps")["measure"])
    assert {"Digital take-up (contacts that record an age)",
            "Digital take-up (post-contact survey respondents)"} <= measures
    at = open_page("equality")
    assert "Digital take-up (contacts that record an age)" in at.selectbox(key="measure").options


def test_the_methodology_page_explains_them():
    text = METHODOLOGY.read_text(encoding="utf-8")
    for phrase in ("Digital take-up (all contacts)", "Digital take-up (contacts that record an age)",
                   "Digital take-up (post-contact survey respondents)", "Weighting changed", "row held back",
                   "Failed checks", "Not broken down by"):
        assert phrase in text
