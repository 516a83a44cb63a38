"""Statistical disclosure control over EVERY published mart of the demo.

The contract: no published figure may come from fewer than 10 respondents
(surveys), and complaint and contact breakdowns by ward and by protected
characteristic follow the same rule (data/reference/disclosure_dimensions.csv).
Checked here, mart by mart, without trusting the models' own flags:

- every mart is either listed below with the base behind each of its figures,
  or carries no figure for a small group at all (no ward, age band, gender,
  ethnicity or disability column, no breakdown by one, no survey figure): a new
  mart that publishes groups without being listed here fails;
- a figure is published only when its unweighted base is 10 or more; a
  suppressed cell is NULL with its flag set, never 0;
- secondary suppression: no set of sibling cells (one KPI, period and
  dimension) has exactly one suppressed cell, so no suppressed cell is the
  total less its siblings; the same across time where a pool over a financial
  year is published beside its months;
- one cell is suppressed alike in every mart that shows it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.settings import REFERENCE_DIR

MIN_BASE = 10
DIMENSIONS = pd.read_csv(REFERENCE_DIR / "disclosure_dimensions.csv")
# dimensions under control whatever the figure; survey figures are controlled by every dimension
ALWAYS_CONTROLLED = set(DIMENSIONS.loc[DIMENSIONS["controlled_for"] == "all", "dimension"])
SURVEY_CONTROLLED = set(DIMENSIONS["dimension"]) | {""}

# mart -> {unweighted base column: the figures computed from that base}
SURVEY_FIGURES = {
    "fct_survey_change": {
        "base_n": ["value", "base_n_eff"],
        "previous_base_n": ["previous_value", "previous_base_n_eff", "change", "change_ci_low", "change_ci_high",
                            "p_value", "significant"],
    },
    "fct_survey_gaps": {
        "base_n": ["value", "base_n_eff", "ci_low", "ci_high", "gap", "gap_ci_low", "gap_ci_high", "p_value",
                   "significant"],
        "all_base_n": ["all_value", "all_base_n_eff"],
    },
    "fct_equality_gaps": {
        "base_n": ["value", "base_n_eff", "ci_low", "ci_high", "gap", "gap_ci_low", "gap_ci_high", "p_value",
                   "significant"],
        "borough_base_n": ["borough_value"],
    },
    "fct_equality_channel_access": {"base_n": ["value", "ci_low", "ci_high", "gap", "p_value"]},
    "fct_survey_distribution": {"base_n": ["weighted_share"]},
}
# Counts of people by a controlled dimension: the count is its own base.
COUNT_FIGURES = {"fct_complaints_ward": {"key": ["financial_year"], "count": "received",
                                         "figures": ["received", "per_10k_residents"]}}
KPI_MARTS = {"kpi_values", "fct_kpi_timeline"}  # base: base_n (surveys), else denominator, else numerator
KPI_FIGURES = ["value", "numerator", "denominator", "base_n", "ci_low", "ci_high", "rag"]
# Marts about survey waves as a whole (respondents per wave, the weights' efficiency): no group figure.
WAVE_TOTALS = {"fct_survey_weighting", "dim_survey_waves"}
# Reference tables: definitions, targets, wards' Census populations, published baselines; no respondent's figure.
REFERENCE = {"dim_kpi", "dim_kpi_targets", "dim_survey_questions", "dim_wards"}
# The latest whole-council figure of each KPI against its strategy target: checked against kpi_values.
LATEST_FIGURES = {"fct_strategy_targets"}
# Notes about a KPI's whole-council figure (owners' commentary, provisional flags): no figure of their own.
FIGURE_NOTES = {"fct_kpi_commentary", "fct_kpi_provisional"}
CONTROLLED_COLUMNS = {"ward_code", "age_band", "gender", "ethnicity", "disability"}
# Marts drawn from kpi_values' published figures (SPC, figures outside their valid range): checked
# to hold only figures kpi_values publishes, and no breakdown under disclosure control.
FROM_PUBLISHED_FIGURES = {"fct_kpi_spc", "dim_spc_rebases", "dq_kpi_out_of_range"}


def marts_of(marts: Path) -> dict[str, str]:
    current = marts / "current"
    return {p.stem: str(p) for p in sorted(current.glob("*.parquet"))}


def read(path: str) -> pd.DataFrame:
    return duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").df()


def breakdown_dimension(breakdown: pd.Series) -> pd.Series:
    return breakdown.fillna("").str.split("=", n=1).str[0]


# ------------------------------------------------------------------ checks (a list of problems, empty when fine)
def unlisted_mart_problems(name: str, df: pd.DataFrame) -> list[str]:
    """A mart not listed must publish no figure for a small group."""
    if name in KPI_MARTS | set(SURVEY_FIGURES) | set(COUNT_FIGURES) | WAVE_TOTALS | REFERENCE | LATEST_FIGURES | FIGURE_NOTES \
            | FROM_PUBLISHED_FIGURES:
        return []
    problems = [f"{name}: column {c} breaks figures down by a controlled dimension but the mart is not checked here"
                for c in df.columns if c in CONTROLLED_COLUMNS]
    for col in ("breakdown", "breakdown_dimension", "dimension"):
        if col in df.columns:
            dims = set(breakdown_dimension(df[col].astype(str))) & ALWAYS_CONTROLLED
            if dims:
                problems.append(f"{name}: {col} holds {sorted(dims)} but the mart is not checked here")
    if {"survey", "question_id"} <= set(df.columns) or ("kpi_id" in df.columns
                                                        and df["kpi_id"].astype(str).str.startswith("survey.").any()):
        problems.append(f"{name}: publishes survey figures but is not checked here")
    return problems


def published_totals(df: pd.DataFrame, value: str = "value", id_col: str = "kpi_id") -> pd.MultiIndex:
    """(id, period, dimension) of every sibling set whose total (breakdown '') is published:
    only then can a lone hidden cell be worked out."""
    totals = df[(df["breakdown"] == "") & df[value].notna()][[id_col, "period"]]
    d = df[df["breakdown"] != ""][[id_col, "period", "breakdown"]].assign(
        dimension=lambda x: breakdown_dimension(x["breakdown"])).drop(columns="breakdown").drop_duplicates()
    return pd.MultiIndex.from_frame(d.merge(totals, on=[id_col, "period"]))


def kpi_problems(name: str, df: pd.DataFrame) -> list[str]:
    problems = []
    dim = breakdown_dimension(df["breakdown"])
    survey = df["kpi_id"].str.startswith("survey.")
    controlled = dim.isin(ALWAYS_CONTROLLED) | (survey & dim.isin(SURVEY_CONTROLLED))
    rows = df[controlled]
    sup = rows[rows["suppressed"]]
    for col in KPI_FIGURES:
        if col in sup.columns:
            bad = sup[sup[col].notna()]
            if len(bad):
                problems.append(f"{name}: {len(bad)} suppressed row(s) still carry {col} (e.g. "
                                f"{bad.iloc[0]['kpi_id']} {bad.iloc[0]['period']} {bad.iloc[0]['breakdown']})")
    shown = rows[~rows["suppressed"]]
    base = shown["base_n"].where(shown["kpi_id"].str.startswith("survey."),
                                 shown["denominator"].fillna(shown["numerator"]))
    small = shown[base.isna() | (base < MIN_BASE)]
    if len(small):
        r = small.iloc[0]
        problems.append(f"{name}: {len(small)} published row(s) with a base under {MIN_BASE} "
                        f"(e.g. {r['kpi_id']} {r['period']} {r['breakdown']})")
    # secondary suppression: siblings within a period
    sib = rows[rows["breakdown"] != ""].assign(dimension=dim[controlled])
    lone = sib.groupby(["kpi_id", "period", "dimension"])["suppressed"].sum()
    lone = lone[(lone == 1) & lone.index.isin(published_totals(df))]
    if len(lone):
        problems.append(f"{name}: {len(lone)} sibling set(s) with exactly one suppressed cell, which the total "
                        f"less the others reveals (e.g. {lone.index[0]})")
    return problems


def survey_figure_problems(name: str, df: pd.DataFrame) -> list[str]:
    problems = []
    for base_col, figures in SURVEY_FIGURES[name].items():
        figures = [c for c in figures if c in df.columns]
        assert base_col in df.columns and figures, (name, base_col)
        published = df[figures].notna().any(axis=1)
        small = df[published & (df[base_col].isna() | (df[base_col] < MIN_BASE))]
        if len(small):
            problems.append(f"{name}: {len(small)} row(s) publish {figures} from {base_col} under {MIN_BASE} "
                            f"or unknown (e.g. {small.iloc[0].to_dict()})")
    if "suppressed" in df.columns:
        main = next(iter(SURVEY_FIGURES[name].values()))
        sup = df[df["suppressed"].fillna(False)]
        for col in [*main, "base_n"]:
            if col in sup.columns and sup[col].notna().any():
                problems.append(f"{name}: suppressed rows still carry {col} (must be NULL, never 0)")
        if "status_text" in df.columns:
            primary = df[df["suppression"] == "primary"]
            if len(primary) and not (primary["status_text"] == "fewer than 10").all():
                problems.append(f"{name}: a cell under 10 is not described as 'fewer than 10'")
    return problems


def sibling_problems(name: str, df: pd.DataFrame) -> list[str]:
    """Group marts: within one measure, period and dimension, never exactly one cell hidden."""
    keys = {"fct_survey_gaps": ["kpi_id", "period_type", "period", "breakdown_dimension"],
            "fct_equality_gaps": ["measure_id", "period_type", "period", "dimension"],
            "fct_survey_change": ["kpi_id", "period", "breakdown_dimension"]}.get(name)
    if keys is None:
        return []
    d = df[df[keys[-1]].fillna("") != ""].copy()
    d["hidden"] = d["value"].isna()
    total = {"fct_survey_gaps": "all_value", "fct_equality_gaps": "borough_value"}.get(name)
    if total:  # the total everyone's figure, on each row
        d["total_shown"] = d[total].notna()
    else:  # the whole wave's row of the same mart
        shown = published_totals(df)
        d["total_shown"] = pd.MultiIndex.from_frame(d[keys]).isin(shown)
    lone = d.groupby(keys).agg(hidden=("hidden", "sum"), total_shown=("total_shown", "any"))
    lone = lone[(lone["hidden"] == 1) & lone["total_shown"]]
    return [f"{name}: {len(lone)} sibling set(s) with exactly one hidden cell (e.g. {lone.index[0]})"] if len(lone) else []


def count_problems(name: str, df: pd.DataFrame) -> list[str]:
    """A count of people by ward or characteristic: published only from 10, hidden as NULL, never
    the only hidden cell of its set (the set's total, e.g. the year's complaints, is public)."""
    spec = COUNT_FIGURES[name]
    problems = []
    shown = df[df[spec["count"]].notna()]
    if (shown[spec["count"]] < MIN_BASE).any():
        problems.append(f"{name}: counts under {MIN_BASE} published")
    sup = df[df["suppressed"]]
    for col in spec["figures"]:
        if sup[col].notna().any():
            problems.append(f"{name}: suppressed rows still carry {col} (must be NULL, never 0)")
    lone = df.groupby(spec["key"])["suppressed"].sum()
    if (lone == 1).any():
        problems.append(f"{name}: {int((lone == 1).sum())} set(s) with exactly one suppressed cell")
    return problems


def pool_problems(kpi: pd.DataFrame, gaps: pd.DataFrame) -> list[str]:
    """A financial-year pool published beside its months: no month may be the only one hidden."""
    months = kpi[kpi["breakdown"] != ""].copy()
    months = months[months["period"].str.fullmatch(r"\d{4}-\d{2}")]
    m = pd.to_datetime(months["period"] + "-01")
    fy = m.dt.year.where(m.dt.month >= 4, m.dt.year - 1)
    months["pool"] = fy.astype(str) + "/" + (fy + 1).astype(str).str[-2:]
    pools = gaps[(gaps["period_type"] == "financial_year") & gaps["value"].notna()][["kpi_id", "period", "breakdown"]]
    pools = pools.rename(columns={"period": "pool"})
    joined = months.merge(pools, on=["kpi_id", "pool", "breakdown"])
    lone = joined.groupby(["kpi_id", "pool", "breakdown"])["suppressed"].sum()
    lone = lone[lone == 1]
    return [f"fct_survey_gaps: {len(lone)} published financial-year pool(s) with exactly one suppressed month, "
            f"which the pool less the other months reveals (e.g. {lone.index[0]})"] if len(lone) else []


def consistency_problems(kpi: pd.DataFrame, others: dict[str, pd.DataFrame]) -> list[str]:
    """A cell kpi_values suppresses is suppressed in every other mart showing the same wave figure."""
    hidden = kpi[kpi["suppressed"]][["kpi_id", "period", "breakdown"]]
    problems = []
    for name, df in others.items():
        id_col = "kpi_id" if "kpi_id" in df.columns else "measure_id"
        d = df.rename(columns={id_col: "kpi_id"})
        if "period_type" in d.columns:
            d = d[d["period_type"] == "wave"]
        leak = d[d["value"].notna()].merge(hidden, on=["kpi_id", "period", "breakdown"])
        if len(leak):
            r = leak.iloc[0]
            problems.append(f"{name}: {len(leak)} cell(s) suppressed in kpi_values are published here "
                            f"(e.g. {r['kpi_id']} {r['period']} {r['breakdown']})")
    return problems


def latest_figure_problems(kpi: pd.DataFrame, targets: pd.DataFrame) -> list[str]:
    """fct_strategy_targets shows a KPI's latest whole-council figure: never one kpi_values suppresses."""
    hidden = kpi[kpi["suppressed"] & (kpi["breakdown"] == "")][["kpi_id", "period"]]
    leak = targets[targets["actual_value"].notna()].merge(hidden, left_on=["kpi_id", "actual_period"],
                                                          right_on=["kpi_id", "period"])
    return [f"fct_strategy_targets: shows {len(leak)} suppressed figure(s)"] if len(leak) else []


def from_published_problems(name: str, df: pd.DataFrame, kpi: pd.DataFrame) -> list[str]:
    """A mart drawn from published figures: no controlled breakdown (a survey figure: none at all,
    so no mean or limit is taken over small groups), and each month's figure is one kpi_values
    publishes (never a suppressed one)."""
    problems = []
    dim = breakdown_dimension(df["breakdown"])
    survey = df["kpi_id"].str.startswith("survey.")
    bad = df[dim.isin(ALWAYS_CONTROLLED) | (survey & dim.isin(SURVEY_CONTROLLED) & (df["breakdown"] != ""))]
    if len(bad):
        problems.append(f"{name}: {len(bad)} row(s) by a controlled breakdown (e.g. {bad.iloc[0]['breakdown']})")
    if "period" in df.columns and "value" in df.columns:
        shown = kpi[~kpi["suppressed"]][["kpi_id", "period", "breakdown", "value"]]
        joined = df[["kpi_id", "period", "breakdown", "value"]].merge(
            shown, on=["kpi_id", "period", "breakdown"], how="left", suffixes=("", "_published"))
        differ = joined[joined["value_published"].isna() | ((joined["value"] - joined["value_published"]).abs() > 1e-9)]
        if len(differ):
            r = differ.iloc[0]
            problems.append(f"{name}: {len(differ)} figure(s) kpi_values does not publish "
                            f"(e.g. {r['kpi_id']} {r['period']} {r['breakdown']})")
    return problems


def all_problems(marts: Path) -> list[str]:
    paths = marts_of(marts)
    frames = {name: read(path) for name, path in paths.items()}
    problems = []
    for name, df in frames.items():
        problems += unlisted_mart_problems(name, df)
        if name in KPI_MARTS:
            problems += kpi_problems(name, df)
        if name in COUNT_FIGURES:
            problems += count_problems(name, df)
        if name in SURVEY_FIGURES:
            problems += survey_figure_problems(name, df)
            problems += sibling_problems(name, df)
        if name in FROM_PUBLISHED_FIGURES:
            problems += from_published_problems(name, df, frames["kpi_values"])
    problems += pool_problems(frames["kpi_values"], frames["fct_survey_gaps"])
    problems += latest_figure_problems(frames["kpi_values"], frames["fct_strategy_targets"])
    problems += consistency_problems(frames["kpi_values"], {n: frames[n] for n in
                                                            ("fct_survey_change", "fct_survey_gaps", "fct_equality_gaps")})
    return problems


# ------------------------------------------------------------------ tests
def test_every_published_mart_is_safe_to_publish(demo_marts):
    assert len(marts_of(demo_marts)) >= 40  # every mart, not a handful
    problems = all_problems(demo_marts)
    assert problems == [], "\n".join(problems)


def test_the_demo_has_small_cells_to_protect(demo_marts):
    """The check above means something only if the demo has cells under 10 and they are hidden."""
    kv = read(marts_of(demo_marts)["kpi_values"])
    sup = kv[kv["suppressed"]]
    assert sup["breakdown"].str.startswith("ward_code=").any()  # complaints and respondents by ward
    assert sup["kpi_id"].str.startswith("survey.").any()
    assert set(sup["breakdown"].str.split("=").str[0]) & {"age_band", "ethnicity"}
    gaps = read(marts_of(demo_marts)["fct_survey_gaps"])
    said = gaps.groupby("suppression")["gap_words"].agg(set).to_dict()
    assert said == {"primary": {"not published: fewer than 10"},
                    "secondary": {"not published: protects a smaller group"}}
    assert gaps.loc[gaps["suppressed"], "value"].isna().all()


@pytest.mark.parametrize("leak", ["zero", "lone", "small"])
def test_the_checks_catch_a_leak(demo_marts, leak):
    """Each rule fails on a mart that breaks it (a copy of the demo's kpi_values, altered)."""
    kv = read(marts_of(demo_marts)["kpi_values"])
    if leak == "zero":  # a suppressed cell shown as 0
        i = kv.index[kv["suppressed"]][0]
        kv.loc[i, "value"] = 0.0
    elif leak == "lone":  # one cell of a set un-suppressed: the set may be left with a single hidden cell
        sets = kv[kv["suppressed"] & (kv["breakdown"] != "")].assign(dim=lambda d: breakdown_dimension(d["breakdown"]))
        counts = sets.groupby(["kpi_id", "period", "dim"]).size()
        key = counts[counts == 2].index[0]
        i = sets[(sets["kpi_id"] == key[0]) & (sets["period"] == key[1]) & (sets["dim"] == key[2])].index[0]
        kv.loc[i, "suppressed"] = False
        kv.loc[i, ["value", "base_n", "denominator", "numerator"]] = [0.5, 12, 12.0, 6.0]
    else:  # a published survey figure from 7 respondents
        i = kv.index[kv["kpi_id"].str.startswith("survey.") & ~kv["suppressed"] & (kv["breakdown"] != "")][0]
        kv.loc[i, "base_n"] = 7
    problems = kpi_problems("kpi_values", kv)
    assert problems, leak


def test_a_whole_wave_of_fewer_than_10_is_suppressed_everywhere(tmp_path):
    """A survey wave with 6 respondents: no figure from it anywhere, and the next wave's change is not tested."""
    from tests.helpers import mart, run_pipeline, write_extract

    raw = tmp_path / "raw"
    header = ["response_id", "survey", "wave", "responded_on", "ward_code", "age_band", "gender", "ethnicity",
              "disability", "channel", "service", "weight", "biz_easy_to_contact"]
    answers = ["Agree", "Disagree", "Strongly agree", "Agree", "Neither agree nor disagree", "Agree"]
    write_extract(raw, "survey_responses", "business_2025-06.csv", [
        [f"B6-{i}", "business", "2025-06", "2025-06-10", "E05009317", "", "", "", "", "", "", "", a]
        for i, a in enumerate(answers)], header=header)
    write_extract(raw, "survey_responses", "business_2025-09.csv", [
        [f"B9-{i}", "business", "2025-09", "2025-09-10", "E05009317", "", "", "", "", "", "", "",
         "Agree" if i % 3 else "Disagree"] for i in range(30)], header=header)
    assert run_pipeline(raw, tmp_path / "marts", tmp_path / "state") == 0
    marts = tmp_path / "marts"
    small = mart(marts, "kpi_values", "kpi_id = 'survey.biz_easy_to_contact' AND period = '2025-06'")
    assert len(small) >= 1 and small["suppressed"].all() and small["value"].isna().all()
    assert small["base_n"].isna().all()  # a base of 6 is itself a cell under 10
    big = mart(marts, "kpi_values", "kpi_id = 'survey.biz_easy_to_contact' AND period = '2025-09' AND breakdown = ''")
    assert big["value"].iloc[0] == pytest.approx(20 / 30)
    change = mart(marts, "fct_survey_change", "question_id = 'biz_easy_to_contact' AND breakdown = ''")
    words = dict(zip(change["period"], change["change_words"], strict=True))
    assert words == {"2025-06": "fewer than 10", "2025-09": "not tested: the earlier figure is not published"}
    dist = mart(marts, "fct_survey_distribution", "wave = '2025-06'")
    assert dist["suppressed"].all() and dist["weighted_share"].isna().all() and dist["base_n"].isna().all()
    problems = all_problems(marts)
    assert problems == [], "\n".join(problems)


def test_complaints_by_ward_are_counted_per_year_with_small_wards_hidden(demo_marts):
    cw = read(marts_of(demo_marts)["fct_complaints_ward"])
    assert len(cw) == 20 * cw["financial_year"].nunique()  # every ward every year, none left out as if 0
    small = cw[cw["suppression"] == "primary"]
    assert len(small) and (small["status_text"] == "fewer than 10").all() and small["received"].isna().all()
    assert count_problems("fct_complaints_ward", cw) == []
    leaked = cw.copy()
    i = leaked.index[leaked["suppressed"]][0]
    leaked.loc[i, ["received", "per_10k_residents"]] = [0, 0.0]  # a hidden ward shown as 0
    assert count_problems("fct_complaints_ward", leaked)
