"""The Voice of the customer page in AppTest on the demo marts: every figure shown is the marts'."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.formatting import change_text, fmt_count, fmt_pct, interval_text, period_label
from tests.helpers import mart
from tests.pages import unescaped

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
ARROWS = set("▲▼↑↓")


def open_page(**sidebar) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("pages/voice_of_the_customer.py")
    at.run()
    for key, value in sidebar.items():
        at.sidebar.selectbox(key=key).set_value(value).run()
    assert not at.exception
    return at


def latest_from_marts(marts, survey: str, period: str, breakdown: str = "") -> pd.DataFrame:
    """Each question's last wave by `period`, straight from the marts (not through dashboard/data.py)."""
    ch = mart(marts, "fct_survey_change", "survey = ? AND breakdown = ? AND strftime(period_month, '%Y-%m') <= ?",
              [survey, breakdown, period])
    ch = ch.sort_values("period_month").groupby("kpi_id").tail(1)
    kv = mart(marts, "kpi_values", "breakdown = ?", [breakdown])[["kpi_id", "period", "ci_low", "ci_high"]]
    names = mart(marts, "dim_kpi")[["kpi_id", "name"]]
    return ch.merge(kv, on=["kpi_id", "period"], how="left").merge(names, on="kpi_id").set_index("name")


def test_latest_results_carry_bases_intervals_and_significance_words_from_the_marts(marts_env):
    at = open_page()
    assert [s.value for s in at.header] == ["Resident survey: latest results (everyone)",
                                              "Every question, wave by wave", "How each wave was weighted",
                                              "One question in depth"]
    period = at.sidebar.selectbox(key="period").value
    shown = at.table[0].value
    expected = latest_from_marts(marts_env, "resident", period)
    assert set(shown.index) == set(expected.index) and len(shown) == 9
    assert any(c.value == f"Wave: {expected['period'].iloc[0]}" for c in at.caption)  # one wave: said once
    for question, row in expected.iterrows():
        cells = shown.loc[question]
        assert cells["Result"] == fmt_pct(row["value"])
        assert cells["95% interval"] == interval_text(row["ci_low"], row["ci_high"])
        assert cells["Respondents"] == fmt_count(row["base_n"])
        assert cells["Effective base"] == fmt_count(row["base_n_eff"])
        assert unescaped(cells["Change on previous wave"]) == change_text(row["change_words"], row["change"],
                                                               row["better_or_worse"])
    # the demo's one resident wave is raked by the pipeline; its efficiency is shown as the mart says
    w = mart(marts_env, "fct_survey_weighting", "survey = 'resident'").iloc[-1]
    weighting = at.table[1].value
    assert weighting.loc[w["wave"], "Weights"] == "computed"
    assert weighting.loc[w["wave"], "Weighting efficiency"] == fmt_pct(w["weighting_efficiency"])
    assert weighting.loc[w["wave"], "Effective base"] == fmt_count(w["effective_base"])
    assert any(f"weighting efficiency **{fmt_pct(w['weighting_efficiency'])}**" in m.value for m in at.markdown)


def test_monthly_survey_says_rise_fall_or_no_change_and_never_an_arrow_for_noise(marts_env):
    at = open_page(survey="transactional")
    period = at.sidebar.selectbox(key="period").value
    expected = latest_from_marts(marts_env, "transactional", period)
    shown = at.table[0].value
    assert expected["period"].nunique() == 1
    assert any(c.value == f"Wave: {period_label(expected['period'].iloc[0])}" for c in at.caption)
    for question, row in expected.iterrows():
        assert shown.loc[question, "Result"] == fmt_pct(row["value"])
    # every month of the window, as the change mart words it: an arrow only for a significant change
    tables = [d.value for d in at.dataframe if "Change on previous wave" in d.value.columns]
    table = max(tables, key=len)  # the wave-by-wave table (the latest results' download has one row a question)
    ch = mart(marts_env, "fct_survey_change", "survey = 'transactional' AND breakdown = ''")
    assert len(table) > 12
    significant = ch["change_words"].str.startswith("significant").sum()
    assert significant > 0  # the demo has real changes to show as well as noise
    for text in table["Change on previous wave"]:
        has_arrow = bool(set(text) & ARROWS)
        assert has_arrow == text.startswith(("▲ significant", "▼ significant")), text
        if text.startswith("no significant change"):
            assert not has_arrow
    # benchmarks beside the council's figure, with the index flagged as an index
    assert "75.4 (index out of 100)" in shown.loc[expected.index[expected["question_id"] == "txn_satisfied"][0],
                                                  "Benchmark"]


def test_groups_under_10_say_fewer_than_10_never_0(marts_env):
    at = open_page(survey="business")
    at.selectbox(key="question").set_value("biz_easy_to_contact").run()
    at.selectbox(key="group").set_value("ward_code").run()
    assert not at.exception
    gaps = mart(marts_env, "fct_survey_gaps", "kpi_id = 'survey.biz_easy_to_contact' AND breakdown_dimension = "
                                              "'ward_code' AND period_type = 'wave'")
    gaps = gaps[gaps["period"] == gaps["period"].max()]
    assert (gaps["suppression"] == "primary").sum() >= 5
    run = data.current_run()
    table = at.table[-1].value
    for r in gaps.itertuples():
        shown = table.loc[data.group_label(run, "ward_code", r.breakdown_value)]
        if r.suppression == "primary":
            assert shown["Result"] == "fewer than 10" and shown["Respondents"] == "–"
        elif r.suppressed:
            assert shown["Result"] == "not shown (protects a smaller group)"
        else:
            assert shown["Result"] == fmt_pct(r.value) and shown["Respondents"] == fmt_count(r.base_n)
    assert not table["Result"].isin(["0%", "0"]).any()


@pytest.mark.parametrize("survey", list(data.SURVEYS))
def test_every_survey_and_question_renders(marts_env, survey):
    at = open_page(survey=survey)
    for q in at.selectbox(key="question").options:
        at.selectbox(key="question").set_value(q).run()
        assert not at.exception, (survey, q)


def test_a_ward_the_survey_does_not_record_says_so(marts_env):
    run = data.current_run()
    ward = data.wards(run)["ward_code"].iloc[0]
    at = open_page(survey="staff", ward=ward)
    assert any("does not record a ward" in c.value for c in at.caption)
