"""Charts a person can read (issue 12 item 6): every value axis says its unit, waits read in
minutes and seconds, money follows the one money rule, every bar and category is labelled,
months and survey waves sit on a true time axis, and one data-quality run is a dated tick,
never a millisecond axis."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import charts
from dashboard.formatting import fmt_value, gbp_column_format


def months(n, start="2024-01"):
    return [f"{p:%Y-%m}" for p in pd.period_range(start, periods=n, freq="M")]


@pytest.mark.parametrize("unit, words", [("rate", "Per cent"), ("gbp", "£"), ("count", "Number"),
                                         ("seconds", "Minutes and seconds"), ("per_10k", "10,000")])
def test_every_value_axis_names_its_unit(unit, words):
    df = pd.DataFrame({"period": months(13), "value": range(1, 14)})
    fig = charts.trend_chart(df, x="period", y="value", unit=unit)
    assert words in fig.layout.yaxis.title.text
    bars = charts.bar_chart(df.assign(label=df["period"]), x="label", y="value", unit=unit)
    assert words in bars.layout.xaxis.title.text  # horizontal bars: the values run along x
    assert not bars.layout.yaxis.title.text  # the categories need no unit


def test_a_caller_names_the_quantity():
    df = pd.DataFrame({"period": months(3) * 2, "contacts": [5, 6, 7, 1, 2, 3], "channel": ["a"] * 3 + ["b"] * 3})
    fig = charts.stacked_bars(df, x="period", y="contacts", colour="channel", unit="count", axis_title="Contacts")
    assert fig.layout.yaxis.title.text == "Contacts"
    share = charts.stacked_bars(df, x="period", y="contacts", colour="channel", unit="count", percent=True,
                                axis_title="Contacts")
    assert share.layout.yaxis.title.text == "Contacts (per cent)" and share.layout.yaxis.tickformat == ".0%"


@pytest.mark.parametrize("largest", [7, 45, 99, 150, 400, 1300])
def test_waits_read_in_minutes_and_seconds(largest):
    df = pd.DataFrame({"period": months(4), "value": [largest / 3, largest / 2, largest * 0.8, largest]})
    axis = charts.trend_chart(df, x="period", y="value", unit="seconds").layout.yaxis
    assert axis.tickmode == "array" and 2 <= len(axis.tickvals) <= 6
    assert max(axis.tickvals) >= largest  # the ticks cover the data
    assert list(axis.ticktext) == [fmt_value(v, "seconds") for v in axis.tickvals]
    if largest >= 150:
        assert any("min" in t for t in axis.ticktext)


@pytest.mark.parametrize("values, tickformat", [([0.08, 3.2, 6.1], ",.2f"), ([120.0, 999.0], ",.2f"),
                                                ([850.0, 4_500.0], ",.0f"), ([88_000.0, 1_250_000.0], ",.0f")])
def test_money_axes_follow_the_money_rule(values, tickformat):
    df = pd.DataFrame({"period": months(len(values)), "value": values})
    axis = charts.trend_chart(df, x="period", y="value", unit="gbp").layout.yaxis
    assert axis.tickprefix == "£" and axis.tickformat == tickformat
    assert gbp_column_format(values) == ("£%,.0f" if tickformat == ",.0f" else "£%,.2f")


def test_hover_text_is_the_figure_as_printed():
    df = pd.DataFrame({"period": months(3), "value": [1234.567, 3.456, 95.0], "target": [1000.0] * 3})
    fig = charts.trend_chart(df, x="period", y="value", unit="gbp", target="target")
    assert list(fig.data[0].customdata) == ["£1,235", "£3.46", "£95.00"]
    assert "%{customdata}" in fig.data[0].hovertemplate
    assert list(fig.data[1].customdata) == ["£1,000"] * 3


def test_every_bar_and_every_category_is_labelled():
    latest = pd.DataFrame({"channel_name": ["Phone", "Face to face", "Online self-service", "Email", "Webchat",
                                            "Social media"],
                           "unit_cost_gbp": [6.1, 10.4, 0.19, 1.2, 2.5, 0.8],
                           "baseline_unit_cost_gbp": [6.0, 10.0, 0.15, 1.0, 2.0, 0.5]})
    fig = charts.unit_cost_chart(latest)
    bars = fig.data[0]
    assert list(bars.text) == [fmt_value(v, "gbp") for v in latest["unit_cost_gbp"]]
    assert len(fig.layout.xaxis.tickvals) == len(latest)  # no label dropped
    assert fig.layout.xaxis.tickmode == "array" and fig.layout.xaxis.nticks is None
    assert fig.layout.yaxis.range[1] > latest["unit_cost_gbp"].max()  # room for the labels above the bars
    many = pd.DataFrame({"label": [f"Service number {i}" for i in range(14)], "value": range(14)})
    horizontal = charts.bar_chart(many, x="label", y="value", unit="count")
    assert len(horizontal.layout.yaxis.tickvals) == 14 and all(t for t in horizontal.data[0].text)


def test_months_are_a_time_axis_labelled_in_words():
    fig = charts.trend_chart(pd.DataFrame({"period": months(25), "value": range(25)}), x="period", y="value",
                             unit="count")
    axis = fig.layout.xaxis
    assert axis.type == "date" and axis.tickformat == "%b %Y" and axis.hoverformat == "%B %Y"
    assert axis.dtick == "M6"  # five labels or fewer across 25 months
    assert isinstance(fig.data[0].x[0], (pd.Timestamp,)) or str(fig.data[0].x[0]).startswith("2024-01-01")


def test_survey_waves_sit_on_a_true_time_axis():
    """Waves in 2021, 2023 and 2024: the two-year gap is twice the one-year gap, each wave labelled."""
    df = pd.DataFrame({"period": ["2021-06", "2023-06", "2024-06"], "value": [0.6, 0.62, 0.65],
                       "ci_low": [0.57, 0.59, 0.62], "ci_high": [0.63, 0.65, 0.68],
                       "question": ["q"] * 3})
    for fig in (charts.wave_chart(df, x="period", y="value"),
                charts.wave_chart(df, x="period", y="value", series="question"),
                charts.question_waves_chart(df)):
        axis = fig.layout.xaxis
        assert axis.type == "date"
        assert list(axis.ticktext) == ["Jun 2021", "Jun 2023", "Jun 2024"]
        x = pd.to_datetime(pd.Series(fig.data[0].x))
        assert (x.iloc[1] - x.iloc[0]) > 1.9 * (x.iloc[2] - x.iloc[1])
    dist = pd.DataFrame({"wave": ["2023-07", "2025-07"] * 2, "answer": ["Yes", "Yes", "No", "No"],
                         "weighted_share": [0.6, 0.7, 0.4, 0.3]})
    bars = charts.stacked_bars(dist, x="wave", y="weighted_share", colour="answer", unit="rate")
    assert bars.layout.xaxis.type == "date"
    access = pd.DataFrame({"period": ["2023-06", "2025-06"], "value": [0.5, 0.6], "ci_low": [0.45, 0.55],
                           "ci_high": [0.55, 0.65], "group_name": ["Over 65"] * 2, "comparison_value": [0.6, 0.7],
                           "comparison": ["everyone"] * 2})
    assert charts.access_chart(access, x="period").layout.xaxis.type == "date"


@pytest.mark.parametrize("runs", [1, 2, 30])
def test_a_run_chart_is_dated_never_in_milliseconds(runs):
    start = pd.Timestamp("2026-12-02 18:41:05.123")
    df = pd.DataFrame({"run_started_at": [start + pd.Timedelta(days=i) for i in range(runs)],
                       "rows_quarantined": range(runs), "source": ["calls"] * runs})
    axis = charts.trend_chart(df, x="run_started_at", y="rows_quarantined", unit="count", series="source",
                              axis_title="Rows quarantined").layout.xaxis
    assert axis.type == "date" and "%L" not in (axis.tickformat or "") and "%S" not in (axis.tickformat or "")
    lo, hi = (pd.Timestamp(r) for r in axis.range)
    assert hi - lo >= pd.Timedelta(hours=24)  # never a span of milliseconds
    if runs <= 5:
        assert list(axis.ticktext)[0].startswith("2 Dec 2026")


def test_status_history_months_in_words():
    history = pd.DataFrame({"action_id": ["A1", "A1"], "title": ["Do it", "Do it"], "outcome": [1, 1],
                            "period": ["2025-01", "2025-02"], "status": ["on_track", "complete"]})
    fig = charts.status_history_chart(history, {"on_track": "On track", "complete": "Complete"})
    assert fig.layout.xaxis.type == "date" and list(fig.layout.xaxis.ticktext) == ["Jan 2025", "Feb 2025"]


def test_bars_on_sparse_waves_are_drawn_whole():
    """A wave's bar is as wide as the gap between waves: the axis leaves room for the outer ones."""
    dist = pd.DataFrame({"wave": ["2023-07", "2024-07", "2025-07"], "answer": ["Yes"] * 3,
                         "weighted_share": [0.6, 0.7, 0.65]})
    axis = charts.stacked_bars(dist, x="wave", y="weighted_share", colour="answer", unit="rate").layout.xaxis
    lo, hi = (pd.Timestamp(r) for r in axis.range)
    assert pd.Timestamp("2023-07-01") - lo >= pd.Timedelta(days=180)
    assert hi - pd.Timestamp("2025-07-01") >= pd.Timedelta(days=180)
