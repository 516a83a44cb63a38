"""The Equality page in AppTest on the demo marts: every figure shown is the marts'."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.formatting import fmt_change, fmt_count, fmt_pct, interval_text, period_label
from tests.helpers import mart

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def open_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("pages/equality.py")
    at.run()
    assert not at.exception
    return at


def latest_gaps(marts, period: str) -> pd.DataFrame:
    """Each measure's latest period that started by the end of `period`, straight from the mart."""
    eq = mart(marts, "fct_equality_gaps", "strftime(period_month, '%Y-%m') <= ?", [period])
    last = eq.groupby("measure_id")["period_month"].transform("max")
    return eq[eq["period_month"] == last]


def group_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Gap to the borough" in d.value.columns)


def test_groups_significantly_below_the_borough_are_listed_with_word_and_symbol(marts_env):
    at = open_page()
    assert [s.value for s in at.header] == [
        "Groups significantly below the borough", "Each measure by group",
        "Can residents aged 65+ and disabled residents still reach us without going online?"]
    period = at.sidebar.selectbox(key="period").value
    expected = latest_gaps(marts_env, period)
    expected = expected[expected["significantly_below"]]
    assert len(expected) > 0  # the demo plants realistic gaps (65+ and disabled residents find access harder)
    shown = next(d.value for d in at.dataframe if "Borough" in d.value.columns)
    assert len(shown) == len(expected)
    run = data.current_run()
    for r in expected.itertuples():
        group = f"{r.dimension_label}: {data.group_label(run, r.dimension, r.group_name)}"
        row = shown[(shown["Measure"] == r.measure) & (shown["Group"] == group)]
        assert len(row) == 1, group
        row = row.iloc[0]
        assert row["Result"] == fmt_pct(r.value) and row["Borough"] == fmt_pct(r.borough_value)
        assert row["Gap"] == fmt_change(r.gap, "rate") and row["Base"] == fmt_count(r.base_n)
        assert row["Status"] == "▼ significantly below the borough"  # a word and a symbol, not colour alone
        assert r.gap_ci_high < 0  # the whole interval of the gap is below zero


def test_each_measure_by_group_equals_the_mart(marts_env):
    at = open_page()
    run = data.current_run()
    measures = at.selectbox(key="measure").options
    assert len(measures) == 4  # satisfaction, ease of access, digital take-up (contacts and survey)
    for label in measures:
        at.selectbox(key="measure").set_value(
            next(m for m in data.equality_measures(run)["measure_id"]
                 if data.equality_measures(run).set_index("measure_id").loc[m, "measure"] == label)).run()
        assert not at.exception, label
        measure_id = at.selectbox(key="measure").value
        period = at.selectbox(key="eq_period").value
        expected = mart(marts_env, "fct_equality_gaps", "measure_id = ? AND period = ?", [measure_id, period])
        shown = group_table(at)
        assert len(shown) == len(expected) > 0
        assert set(expected["dimension"]) <= set(data.EQUALITY_DIMENSIONS)
        for r in expected.itertuples():
            row = shown[(shown["Characteristic"] == r.dimension_label)
                        & (shown["Group"] == data.group_label(run, r.dimension, r.group_name))].iloc[0]
            assert row["Status"] == r.status_text
            if r.suppressed:
                assert row["Result"] in ("fewer than 10", "not shown (protects a smaller group)")
                continue
            assert row["Result"] == fmt_pct(r.value)
            assert row["95% interval"] == interval_text(r.ci_low, r.ci_high)
            assert row["Base (unweighted)"] == fmt_count(r.base_n)
            assert row["Gap to the borough"] == fmt_change(r.gap, "rate")


def test_non_digital_access_of_65_plus_and_disabled_residents_over_time(marts_env):
    at = open_page()
    period = at.sidebar.selectbox(key="period").value
    acc = mart(marts_env, "fct_equality_channel_access")
    table = next(d.value for d in at.dataframe if "Share non-digital" in d.value.columns)
    assert set(table["Group"]) == {"Residents aged 65+", "Respondents aged 65+", "Disabled respondents"}
    last = acc[(acc["source"] == "contacts") & (acc["period"] <= period)].sort_values("period").iloc[-1]
    assert any(c.value.startswith(f"{period_label(last['period'])}: **{fmt_pct(last['value'])}** of "
                                  f"{fmt_count(last['base_n'])} contacts") for c in at.caption)
    for r in acc[acc["source"] != "contacts"].itertuples():
        row = table[(table["Group"] == r.group_name) & (table["Period"] == r.period)]
        if len(row):
            assert row.iloc[0]["Share non-digital"] == fmt_pct(r.value)
            assert row.iloc[0]["95% interval"] == interval_text(r.ci_low, r.ci_high)


def test_every_month_renders(marts_env):
    at = open_page()
    for period in at.sidebar.selectbox(key="period").options:
        at.sidebar.selectbox(key="period").set_value(period).run()
        assert not at.exception, period
