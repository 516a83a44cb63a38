"""pipelines/statistics.py and pipelines/weighting.py against known results.

Intervals and tests against textbook tables (Newcombe 1998; Agresti), the SQL
functions the models call against the Python ones, raking against its targets
(and weightipy's result against a hand-rolled IPF), and the projection against
an independent least-squares fit.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pipelines import statistics as st
from pipelines import weighting


# ------------------------------------------------------------------ Wilson interval
@pytest.mark.parametrize("x, n, low, high", [
    # Newcombe RG (1998) Two-sided confidence intervals for the single proportion: comparison of
    # seven methods. Stat Med 17:857-872, Table I, method 3 (Wilson score, no continuity correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 10, 0.0000, 0.2775),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
])
def test_wilson_interval_matches_newcombe_table(x, n, low, high):
    lo, hi = st.wilson_interval(x / n, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_stays_in_unit_interval_and_widens_with_a_smaller_effective_base():
    lo, hi = st.wilson_interval(0.98, 50)
    assert 0 <= lo < 0.98 < hi <= 1  # the Wald interval would pass 1 here
    narrow = st.wilson_interval(0.6, 1000)
    wide = st.wilson_interval(0.6, 1000 / 1.5)  # design effect 1.5
    assert wide[1] - wide[0] > narrow[1] - narrow[0]
    assert math.isnan(st.wilson_interval(0.5, 0)[0])


def test_kish_effective_base_and_design_effect():
    w = [1, 1, 2, 2]
    assert st.effective_base(w) == pytest.approx(36 / 10)
    assert st.design_effect(w) == pytest.approx(4 / 3.6)
    assert st.weighting_efficiency(w) == pytest.approx(0.9)
    assert st.effective_base(np.ones(7)) == pytest.approx(7)


# ------------------------------------------------------------------ two proportions
@pytest.mark.parametrize("x1, n1, x2, n2, low, high", [
    # Newcombe RG (1998) Interval estimation for the difference between independent proportions:
    # comparison of eleven methods. Stat Med 17:873-890, Table II, method 10 (hybrid score).
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (10, 10, 0, 10, 0.6075, 1.0000),
])
def test_difference_interval_matches_newcombe_table(x1, n1, x2, n2, low, high):
    lo, hi = st.difference_interval(x1 / n1, n1, x2 / n2, n2)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_two_proportion_test_matches_agresti_aspirin_example():
    # Physicians' Health Study (Agresti, An Introduction to Categorical Data Analysis):
    # myocardial infarction 189 of 11,034 on placebo, 104 of 11,037 on aspirin; Pearson X^2 = 25.01.
    z = st.two_proportion_z(189 / 11034, 11034, 104 / 11037, 11037)
    assert z * z == pytest.approx(25.01, abs=0.005)
    chi2 = sps.chi2_contingency([[189, 11034 - 189], [104, 11037 - 104]], correction=False)[0]
    assert z * z == pytest.approx(chi2)
    assert st.two_proportion_p(189 / 11034, 11034, 104 / 11037, 11037) < 1e-6


def test_significance_words():
    # 83% -> 86% on 1,000 each: p about 0.07, not significant
    p = st.two_proportion_p(0.86, 1000, 0.83, 1000)
    assert 0.05 < p < 0.1 and st.change_words(0.03, p) == "no significant change"
    p = st.two_proportion_p(0.80, 1000, 0.86, 1000)
    assert p < 0.05 and st.change_words(-0.06, p) == "significant fall"
    assert st.change_words(0.06, 0.001) == "significant rise"
    assert st.gap_words(-0.1, 0.01) == "significantly below"
    assert st.gap_words(0.1, 0.2) == "no significant difference"
    assert st.change_words(float("nan"), 0.5) == "not tested"
    # identical proportions of 0 or 1: nothing to test, not a division by zero
    assert st.two_proportion_p(1.0, 20, 1.0, 30) == 1.0


def test_sql_functions_are_the_python_functions():
    con = duckdb.connect()
    st.register_sql_functions(con)
    row = con.execute("""SELECT stat_wilson_low(81 / 263, 263), stat_wilson_high(81 / 263, 263),
                                stat_diff_low(0.8, 70, 0.6, 80), stat_diff_high(0.8, 70, 0.6, 80),
                                stat_two_prop_p(0.86, 1000, 0.83, 1000), stat_change_words(0.03, 0.07),
                                stat_gap_words(-0.1, 0.01), stat_t_quantile(0.975, 10),
                                stat_wilson_low(NULL, 10), stat_wilson_low(0.5, 0)""").fetchone()
    assert row[0] == pytest.approx(st.wilson_low(81 / 263, 263))
    assert row[1] == pytest.approx(st.wilson_high(81 / 263, 263))
    assert row[2] == pytest.approx(st.difference_low(0.8, 70, 0.6, 80))
    assert row[3] == pytest.approx(st.difference_high(0.8, 70, 0.6, 80))
    assert row[4] == pytest.approx(st.two_proportion_p(0.86, 1000, 0.83, 1000))
    assert row[5:7] == ("no significant change", "significantly below")
    assert row[7] == pytest.approx(2.228, abs=1e-3)  # t table, 10 df
    assert row[8] is None and row[9] is None  # NULL in, NULL out; nothing computable: NULL, not NaN


# ------------------------------------------------------------------ projection
def test_linear_projection_against_an_independent_fit():
    rng = np.random.default_rng(3)
    x = np.arange(24, dtype=float)
    y = 0.40 + 0.005 * x + rng.normal(0, 0.01, 24)
    out = st.linear_projection(x, y, 35)
    fit = sps.linregress(x, y)
    assert out["slope"] == pytest.approx(fit.slope) and out["intercept"] == pytest.approx(fit.intercept)
    assert out["value"] == pytest.approx(fit.intercept + 35 * fit.slope)
    # prediction interval by the textbook formula, computed independently
    resid = y - (fit.intercept + fit.slope * x)
    s = math.sqrt((resid ** 2).sum() / 22)
    se = s * math.sqrt(1 + 1 / 24 + (35 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    assert out["high"] - out["value"] == pytest.approx(sps.t.ppf(0.975, 22) * se)
    assert st.projection_words(out["value"], out["low"], out["high"], 0.55, "higher") == "on course"
    assert st.projection_words(0.52, 0.48, 0.56, 0.55, "higher") == "at risk"
    assert st.projection_words(0.50, 0.47, 0.53, 0.55, "higher") == "off course"
    assert st.projection_words(0.10, 0.05, 0.15, 0.12, "lower") == "on course"


# ------------------------------------------------------------------ raking
TARGETS = {
    "age_band": {"16-34": 0.5, "35-64": 0.4, "65+": 0.1},
    "gender": {"Female": 0.5, "Male": 0.5},
    "ward_code": {"W1": 0.3, "W2": 0.3, "W3": 0.4},
}


def sample(n=600, seed=5, missing=0.0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age_band": rng.choice(["16-34", "35-64", "65+"], n, p=[0.3, 0.5, 0.2]),
        "gender": rng.choice(["Female", "Male"], n, p=[0.6, 0.4]),
        "ward_code": rng.choice(["W1", "W2", "W3"], n, p=[0.5, 0.3, 0.2]),
    }).astype(object)
    if missing:
        df.loc[rng.random(n) < missing, "gender"] = None
    return df


def weighted_shares(df, w, column):
    known = df[column].notna()
    s = pd.Series(w[known.to_numpy()]).groupby(df.loc[known, column].to_numpy()).sum()
    return (s / s.sum()).to_dict()


def test_raking_matches_every_margin():
    df = sample()
    w, notes = weighting.rake(df, TARGETS)
    assert notes == []
    assert w.mean() == pytest.approx(1.0)
    for column, target in TARGETS.items():
        got = weighted_shares(df, w, column)
        for k, v in target.items():
            assert got[k] == pytest.approx(v, abs=1e-6), (column, k)
    assert weighting.margin_error(df, w, TARGETS) < 1e-6


def test_weightipy_agrees_with_a_hand_rolled_ipf():
    df = sample(seed=9)
    w, _ = weighting.rake(df, TARGETS)
    ipf = np.ones(len(df))
    for _ in range(500):  # textbook iterative proportional fitting
        for column, target in TARGETS.items():
            x = df[column].to_numpy()
            for k, v in target.items():
                m = x == k
                ipf[m] *= v * ipf.sum() / ipf[m].sum()
    assert np.allclose(w, ipf / ipf.mean(), atol=1e-6)


def test_raking_caps_the_largest_weight_and_keeps_non_respondents_of_a_margin():
    df = sample(missing=0.1)
    skewed = {**TARGETS, "age_band": {"16-34": 0.3, "35-64": 0.3, "65+": 0.4}}  # 65+ badly under-sampled
    free, _ = weighting.rake(df, skewed)
    capped, _ = weighting.rake(df, skewed, cap=2.0)
    assert free.max() > 2.0 and capped.max() <= 2.0 + 1e-3
    assert st.design_effect(capped) < st.design_effect(free)
    # respondents who did not state a gender keep their sample share of the weight
    not_stated = df["gender"].isna().to_numpy()
    assert free[not_stated].sum() / free.sum() == pytest.approx(not_stated.mean(), abs=1e-6)
    assert weighting.margin_error(df, free, skewed) < 1e-6
    # trimming costs some fit, which is measured and reported per wave
    assert 1e-6 < weighting.margin_error(df, capped, skewed) < 0.05


def test_raking_says_when_a_target_category_is_empty_and_refuses_unknown_values():
    df = sample()
    df = df[df["ward_code"] != "W3"].reset_index(drop=True)
    w, notes = weighting.rake(df, TARGETS)
    assert any("W3" in n for n in notes)
    assert weighted_shares(df, w, "ward_code")["W1"] == pytest.approx(0.5, abs=1e-6)
    df.loc[0, "ward_code"] = "W9"
    with pytest.raises(ValueError, match="W9"):
        weighting.rake(df, TARGETS)


def test_population_targets_from_the_reference_files():
    from pipelines.settings import REFERENCE_DIR

    scheme = weighting.load_schemes()["resident"]
    profile = pd.read_csv(REFERENCE_DIR / "population_profile.csv", dtype=str, keep_default_na=False)
    wards = pd.read_csv(REFERENCE_DIR / "wards.csv", dtype=str, keep_default_na=False)
    targets = weighting.population_targets(scheme, profile, wards)
    assert set(targets) == {"age_band", "gender", "ethnicity", "ward_code"}
    for shares in targets.values():
        assert sum(shares.values()) == pytest.approx(1.0)
    assert targets["ward_code"]["E05009326"] == pytest.approx(6553 / 310301)  # Limehouse
    assert targets["age_band"]["65+"] == pytest.approx(0.075)


# ------------------------------------------------------------------ raking in the pipeline
def test_the_demo_wave_delivered_without_weights_is_raked_to_the_census(demo_env):
    """The demo's June 2025 resident wave comes without weights: the pipeline rakes it
    (survey_weights) and, weighted, the respondents match every Census margin."""
    from pipelines.settings import REFERENCE_DIR

    _, marts, state = demo_env
    con = duckdb.connect(str(state / "warehouse.duckdb"), read_only=True)
    df = con.execute("""SELECT r.age_band, r.gender, r.ethnicity, r.ward_code, r.weight AS delivered, sw.weight
                        FROM stg_survey_responses r
                        LEFT JOIN survey_weights sw USING (response_id, survey, wave)
                        WHERE r.survey = 'resident' AND r.wave = '2025-06'""").df()
    con.close()
    assert len(df) > 1000 and df["delivered"].isna().all() and df["weight"].notna().all()
    scheme = weighting.load_schemes()["resident"]
    profile = pd.read_csv(REFERENCE_DIR / "population_profile.csv", dtype=str, keep_default_na=False)
    wards = pd.read_csv(REFERENCE_DIR / "wards.csv", dtype=str, keep_default_na=False)
    targets = weighting.population_targets(scheme, profile, wards)
    w = df["weight"].to_numpy()
    assert w.max() <= scheme.cap + 1e-3  # trimmed
    sample = df[list(targets)].astype(object)
    # trimming at the cap may cost a little fit; the mart reports the worst gap, which must be small
    from tests.helpers import mart

    row = mart(marts, "fct_survey_weighting", "survey = 'resident' AND wave = '2025-06'").iloc[0]
    tolerance = row["max_margin_error"]
    assert tolerance == pytest.approx(weighting.margin_error(sample, w, targets), abs=1e-9)
    assert tolerance < 0.005  # half a point at worst
    for column, target in targets.items():
        got = weighted_shares(sample, w, column)
        present = {k: v for k, v in target.items() if k in got}
        total = sum(present.values())
        for k, v in present.items():
            assert abs(got[k] - v / total) <= tolerance + 1e-9, (column, k)
    # the published weighting mart says what was done and what it cost
    assert row["weights"] == "computed" and row["margins"] == "age_band, gender, ethnicity, ward_code"
    assert row["effective_base"] == pytest.approx(st.effective_base(w))
    assert row["weighting_efficiency"] == pytest.approx(st.weighting_efficiency(w))
    assert 0.5 < row["weighting_efficiency"] < 1
