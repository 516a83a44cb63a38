"""XmR statistical process control (NHS England "Making Data Count"): the SQL models
int_kpi_spc_* run on hand-made series, against worked examples with published answers.

Sources of the worked examples (NHS-R Community, NHSRplotthedots, the R package that
implements Making Data Count's rules; github.com/nhs-r-community/NHSRplotthedots):

- vignettes/deviations.Rmd, "Treatment of outlying points": the series
  1, 2, 1, 2, 10, 1, 2, ... (18 days). With outliers not screened, as the Making Data
  Count Excel tools do (and as we do), the caption reports UPL 6.95, mean 1.94,
  LPL -3.06, and the chart shows four common-cause points, one special cause
  improvement (the 10), then twelve more common-cause points.
- tests/testthat/_snaps/ptd_spc_standard.md: set.seed(123); y <- rnorm(20) gives
  mean 0.1416238, lpl -3.01138, upl 3.294627 (r1); with y[15] <- 10 and outliers not
  screened, mean 0.6694159, lpl -4.596625, upl 5.935457 (r3).
- tests/testthat/test-ptd_spc_standard.R, "it only reports special cause for 2of3
  points close to limits when they are on the same side of the mean": 1, -1, ...
  (16 points) with the 15th 5.5 and the 16th -5.5: both stay common cause.
- tests/testthat/test-ptd_calculate_point_type.R: a 7-point trend (1:7 flagged, a tie
  c(1:3, 3:6) is not one, c(2, 1:7, 3) flags the 7 rising points), 7 points on one
  side of the mean, 2 of 3 close to a limit on the same side.
- tests/testthat/test-ptd_calculate_assurance_type.R: target 4 against limits
  (1, 3), (5, 7) and (1, 5): consistent fail, consistent pass, inconsistent for
  "increase"; the reverse for "decrease".
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from pipelines.models import discover_models

SPC_MODELS = ["int_kpi_spc_rebase_tests", "int_kpi_spc_rebases", "int_kpi_spc", "int_kpi_spc_as_at"]

# set.seed(123); rnorm(20) in R (the first five are printed in the snapshot)
RNORM_123 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
             -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
             -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141]


def months(n: int, start: str = "2021-04") -> list[dt.date]:
    first = pd.Timestamp(f"{start}-01")
    return [(first + pd.DateOffset(months=i)).date() for i in range(n)]


def spc(values: list[float], *, polarity: str = "higher", target: float | None = None,
        events: list[tuple[str, str]] | None = None, kpi_id: str = "k") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(int_kpi_spc, int_kpi_spc_as_at) for one monthly series, run by the project's own SQL models."""
    con = duckdb.connect()
    when = months(len(values))
    points = pd.DataFrame({"kpi_id": kpi_id, "breakdown": "", "period": [m.strftime("%Y-%m") for m in when],
                           "period_month": when, "value": [float(v) for v in values],
                           "target": target, "polarity": polarity})
    points["target"] = points["target"].astype("float64")
    con.execute("CREATE TABLE int_kpi_spc_points AS SELECT * FROM points")
    ev = pd.DataFrame(events or [], columns=["event_date", "rebase_kpis"]).assign(label="an event", scope="all",
                                                                                   source="test")
    ev["event_date"] = pd.to_datetime(ev["event_date"]).dt.date
    con.execute("CREATE TABLE ref_events AS SELECT event_date::DATE AS event_date, label, scope, source, "
                "rebase_kpis::VARCHAR AS rebase_kpis FROM ev")
    models = {m.name: m for m in discover_models()}
    for name in SPC_MODELS:
        con.execute(f"CREATE TABLE {name} AS {models[name].sql}")
    chart = con.execute("SELECT * FROM int_kpi_spc ORDER BY period_month").df()
    as_at = con.execute("SELECT * FROM int_kpi_spc_as_at ORDER BY period_month").df()
    return chart, as_at


def rules(df: pd.DataFrame) -> list[str | None]:
    return [r if isinstance(r, str) else None for r in df["special_cause_rule"]]


def test_deviations_vignette_limits_and_the_one_special_cause():
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    chart, as_at = spc(data)
    assert chart["upper_limit"].round(2).unique().tolist() == [6.95]
    assert chart["mean"].round(2).unique().tolist() == [1.94]
    assert chart["lower_limit"].round(2).unique().tolist() == [-3.06]
    expected = ["common_cause"] * 4 + ["special_cause_improvement"] + ["common_cause"] * 13
    assert chart["variation"].tolist() == expected
    assert chart.loc[4, "special_cause_rule"] == "outside_limits" and chart.loc[4, "signal"] == "high"
    # the same series where lower is better: the 10 is a concern
    chart, _ = spc(data, polarity="lower")
    assert chart.loc[4, "variation"] == "special_cause_concern"
    # with no better direction: a special cause, neither improvement nor concern
    chart, _ = spc(data, polarity="none")
    assert chart.loc[4, "variation"] == "special_cause_neither"
    assert (chart["assurance"] == "no_target").all()


def test_snapshot_limits_of_twenty_normal_points():
    chart, as_at = spc(RNORM_123)
    assert chart["mean"].iloc[0] == pytest.approx(0.1416238, abs=1e-7)
    assert chart["lower_limit"].iloc[0] == pytest.approx(-3.01138, abs=1e-5)
    assert chart["upper_limit"].iloc[0] == pytest.approx(3.294627, abs=1e-6)
    assert (chart["variation"] == "common_cause").all()  # the snapshot: 20 common cause, 0 special
    # an outlier, not screened out (the Excel tools' choice): r3 of the snapshot
    y = list(RNORM_123)
    y[14] = 10
    chart, _ = spc(y)
    assert chart["mean"].iloc[0] == pytest.approx(0.6694159, abs=1e-7)
    assert chart["lower_limit"].iloc[0] == pytest.approx(-4.596625, abs=1e-6)
    assert chart["upper_limit"].iloc[0] == pytest.approx(5.935457, abs=1e-6)
    assert chart.loc[14, "variation"] == "special_cause_improvement"


def test_two_close_points_on_opposite_sides_are_common_cause():
    data = [1, -1] * 8
    data[14], data[15] = 5.5, -5.5
    chart, as_at = spc(data)
    assert chart["variation"].tail(2).tolist() == ["common_cause", "common_cause"]
    assert as_at["variation"].iloc[-1] == "common_cause"


def test_two_of_three_close_to_a_limit_on_the_same_side():
    # 20 months alternating 0 and 2 (mean 1, mean moving range 2: limits 1 +/- 5.32, 2 sigma 1 +/- 3.55),
    # then 4.7, 3.0, 4.8: the 1st and 3rd beyond 2 sigma, all three above the mean
    base = [0, 2] * 10
    chart, as_at = spc(base + [4.7, 3.0, 4.8])
    assert chart["mean"].iloc[0] == pytest.approx(1.0) and chart["upper_limit"].iloc[0] == pytest.approx(6.32)
    tail = chart.tail(3)
    assert rules(tail) == ["two_of_three", None, "two_of_three"]
    assert as_at["special_cause_rule"].iloc[-1] == "two_of_three" and as_at["signal"].iloc[-1] == "high"
    # one of the three below the mean: not a signal
    chart, _ = spc(base + [4.7, 0.5, 4.8])
    assert rules(chart.tail(3)) == [None, None, None]


def test_a_seven_point_trend_and_a_tie_that_breaks_one():
    base = [5, 7] * 10  # mean 6, mean moving range 2: limits 0.68 to 11.32
    rising = [3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0]  # 7 points each higher than the last (the last on the mean)
    chart, as_at = spc(base + rising)
    assert rules(chart.tail(7)) == ["trend"] * 7
    assert chart.tail(7)["signal"].tolist() == ["high"] * 7
    assert chart.tail(7)["variation"].tolist() == ["special_cause_improvement"] * 7
    assert as_at["special_cause_rule"].iloc[-1] == "trend"
    # as at the 6th rising month there were only 6: no signal yet (a trend is not back-dated on a card)
    assert rules(as_at)[-2] is None
    # a tie breaks the trend (ptd_seven_point_trend(c(1:3, 3:6)) is all 0)
    chart, _ = spc(base + [3.0, 3.5, 4.0, 4.0, 4.5, 5.0, 5.5])
    assert "trend" not in rules(chart)
    # c(2, 1:7, 3): the seven rising points are the trend; the points either side are not
    # (here they are part of a run of 9 below the mean instead, the lower-precedence rule)
    chart, _ = spc(base + [4.2, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.4, 3.1])
    assert rules(chart.tail(9)) == ["run"] + ["trend"] * 7 + ["run"]
    # falling: for a measure where higher is better, a concern
    chart, _ = spc(base + [9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.1])
    assert rules(chart.tail(7)) == ["trend"] * 7
    assert chart.tail(7)["variation"].tolist() == ["special_cause_concern"] * 7


def test_seven_points_on_one_side_of_the_mean():
    base = [7, 5] * 10  # mean 6, the last month below it
    chart, as_at = spc(base + [6.5, 6.2, 6.8, 6.4, 6.9, 6.3, 6.6, 5.0])
    assert rules(chart.tail(8)) == ["run"] * 7 + [None]
    # ptd_seven_point_one_side_mean(rep(1, 6)): 6 are not enough
    chart, _ = spc(base + [6.5, 6.2, 6.8, 6.4, 6.9, 6.3, 5.0])
    assert "run" not in rules(chart)
    # a point on the mean breaks a run
    chart, _ = spc(base + [6.5, 6.2, 6.8, 6.0, 6.4, 6.9, 6.3, 6.6])
    assert "run" not in rules(chart)


@pytest.mark.parametrize("polarity, expected", [("higher", ["consistently_fails", "consistently_passes",
                                                             "hit_and_miss"]),
                                                ("lower", ["consistently_passes", "consistently_fails",
                                                           "hit_and_miss"])])
def test_assurance_against_a_target_of_four(polarity, expected):
    """Limits (1, 3), (5, 7) and (1, 5) against a target of 4, as in ptd_calculate_assurance_type's tests."""
    got = []
    for lo, hi in ((1, 3), (5, 7), (1, 5)):
        mean, half = (lo + hi) / 2, (hi - lo) / 2
        d = half / 2.66 / 2  # alternating mean +/- d: mean moving range 2d, limits mean +/- 2.66 x 2d
        chart, _ = spc([mean - d, mean + d] * 8, polarity=polarity, target=4.0)
        assert chart["lower_limit"].iloc[-1] == pytest.approx(lo) and chart["upper_limit"].iloc[-1] == pytest.approx(hi)
        got.append(chart["assurance"].iloc[-1])
    assert got == expected


def test_baseline_is_the_first_twenty_months_of_a_segment():
    values = [5, 7] * 10 + [50, 51] * 3  # after the baseline, a jump the limits do not absorb
    chart, _ = spc(values)
    assert chart["baseline_months"].iloc[0] == 20 and chart["mean"].iloc[0] == pytest.approx(6.0)
    assert (chart.tail(6)["variation"] == "special_cause_improvement").all()


def test_a_listed_event_rebases_the_limits_when_the_data_show_a_shift():
    before = [5, 7] * 10  # mean 6
    after = [9.0, 9.4, 9.2, 9.6, 9.1, 9.5, 9.3, 9.4, 9.2]  # from month 21 on, all above 6
    month21 = months(21)[-1].isoformat()
    chart, as_at = spc(before + after, events=[(month21, "k")])
    assert chart["segment_start"].iloc[-1] == months(21)[-1].strftime("%Y-%m")
    assert chart["mean"].iloc[-1] == pytest.approx(sum(after) / len(after))
    assert (chart.tail(9)["variation"] == "common_cause").all()  # judged against the new limits
    assert bool(chart["limits_trial"].iloc[-1])  # 9 months: provisional until 12
    # as at the 6th month after the event the shift was not yet shown: the old limits judged it
    assert as_at["segment_start"].iloc[-4] == months(1)[0].strftime("%Y-%m")
    assert as_at["variation"].iloc[-4] == "special_cause_improvement"
    # from the 7th on, the new segment
    assert as_at["segment_start"].iloc[-3] == months(21)[-1].strftime("%Y-%m")
    # the same event listed for another KPI, or not listed: no rebase
    chart, _ = spc(before + after, events=[(month21, "other")])
    assert chart["segment_start"].nunique() == 1
    # listed, but no shift in the data: no rebase
    chart, _ = spc(before + [5, 7] * 5, events=[(month21, "all")])
    assert chart["segment_start"].nunique() == 1


def test_a_change_that_beds_in_rebases_from_the_run_not_the_event():
    """A dip in the event's month, then a sustained rise: the limits restart with the rise."""
    before = [5, 7] * 10
    after = [2.0, 9.0, 9.4, 9.2, 9.6, 9.1, 9.5, 9.3]
    chart, _ = spc(before + after, events=[(months(21)[-1].isoformat(), "k")])
    assert chart["segment_start"].iloc[-1] == months(22)[-1].strftime("%Y-%m")
    assert chart["segment_start"].iloc[20] == months(1)[0].strftime("%Y-%m")  # the dip stays in the old segment


def test_as_at_the_latest_month_the_card_and_the_chart_agree():
    values = RNORM_123 + [1.5, 1.6, 1.4, 1.7, 1.5, 1.8, 1.6, 1.9]
    chart, as_at = spc(values, target=0.5)
    for col in ("variation", "assurance", "special_cause_rule", "signal"):
        assert chart[col].iloc[-1] == as_at[col].iloc[-1], col
    assert as_at["mean"].iloc[-1] == pytest.approx(chart["mean"].iloc[-1])


def test_fewer_than_twelve_months_are_not_assessed_on_a_card():
    _, as_at = spc([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
    assert as_at["assessed"].tolist() == [False] * 11 + [True, True]
    assert as_at["variation"].head(11).isna().all()
