"""Weights for survey waves delivered without them: rim weighting (raking) to the Census.

A pipeline step between ingest and the SQL models. For every wave of a survey
listed in data/reference/survey_weighting.yaml whose delivery carries no
weight at all, respondents are raked to the population margins the file names
(age band, gender, ethnicity, ward) and the weights written to the warehouse
table `survey_weights`; `int_survey_scored` then uses
coalesce(delivered weight, computed weight, 1). A wave delivered with weights
is used as delivered. What was done to each wave, and how well the weighted
sample matches each margin afterwards, goes to `survey_weighting_waves`.

Raking is weightipy's RIM implementation (a maintained library built for
this). Its cap trims weights above `cap` inside every pass and re-rakes the
rest; weightipy 0.4.2 cannot take a lower bound (a (low, high) cap fails on a
type comparison in `Rake.__init__`), so small weights are not trimmed: they add
little to the variance, and the smallest weight is reported per wave.

Respondents who did not state a margin's value are kept in a "not stated"
category held at its sample share, so they neither drop out nor distort the
known categories; a target category nobody in the sample belongs to is left
out and the others rescaled (reported in the wave's note).
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from pipelines import settings
from pipelines.statistics import design_effect, effective_base

NOT_STATED = "(not stated)"
CONFIG_FILE = "survey_weighting.yaml"

WEIGHT_TABLES_DDL = """
CREATE TABLE IF NOT EXISTS survey_weights (
    response_id VARCHAR, survey VARCHAR, wave VARCHAR, weight DOUBLE
);
CREATE TABLE IF NOT EXISTS survey_weighting_waves (
    survey VARCHAR, wave VARCHAR, status VARCHAR, population VARCHAR, margins VARCHAR[], cap DOUBLE,
    respondents BIGINT, effective_base DOUBLE, design_effect DOUBLE, min_weight DOUBLE, max_weight DOUBLE,
    max_margin_error DOUBLE, note VARCHAR
);
"""


@dataclass(frozen=True)
class Scheme:
    survey: str
    population: str
    margins: dict[str, str]  # column -> 'population_profile' | 'wards'
    cap: float
    min_respondents: int


def load_schemes(reference_dir: Path | None = None) -> dict[str, Scheme]:
    path = (reference_dir or settings.REFERENCE_DIR) / CONFIG_FILE
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f) or {}
    schemes = {}
    for survey, s in raw.items():
        for column, src in s["margins"].items():
            if src not in ("population_profile", "wards"):
                raise ValueError(f"{path}: {survey}.{column}: unknown margin source {src!r}")
        schemes[survey] = Scheme(survey, s.get("population", ""), dict(s["margins"]), float(s["cap"]),
                                 int(s.get("min_respondents", 1)))
    return schemes


def population_targets(scheme: Scheme, profile: pd.DataFrame, wards: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Each margin's population shares (summing to 1)."""
    targets = {}
    for column, src in scheme.margins.items():
        if src == "wards":
            pop = wards.set_index("ward_code")["population_census_2021"].astype(float)
        else:
            rows = profile[profile["dimension"] == column]
            pop = rows.set_index("category")["share"].astype(float)
        targets[column] = (pop / pop.sum()).to_dict()
    return targets


def rake(sample: pd.DataFrame, targets: dict[str, dict[str, float]], cap: float | None = None,
         max_iterations: int = 2000) -> tuple[np.ndarray, list[str]]:
    """Rim weights (mean 1) for `sample` so each column's weighted shares match `targets`.

    Missing values form a 'not stated' category held at its sample share.
    Returns the weights and notes on what had to be adapted.
    """
    import weightipy

    notes = []
    df = pd.DataFrame(index=range(len(sample)))
    scheme = {}
    for column, shares in targets.items():
        values = sample[column].astype(object).where(sample[column].notna(), NOT_STATED).astype(str).to_numpy()
        df[column] = values
        present = set(values)
        missing = [k for k in shares if k not in present]
        if missing:
            notes.append(f"{column}: nobody in the sample for {', '.join(sorted(missing))}; other shares rescaled")
        unknown = present - set(shares) - {NOT_STATED}
        if unknown:
            raise ValueError(f"{column}: values with no population share: {sorted(unknown)}")
        not_stated = float(np.mean(values == NOT_STATED))
        known = {k: v for k, v in shares.items() if k in present}
        total = sum(known.values())
        scheme[column] = {k: 100 * (1 - not_stated) * v / total for k, v in known.items()}
        if not_stated > 0:
            scheme[column][NOT_STATED] = 100 * not_stated
    params = {"max_iterations": max_iterations, "convcrit": 1e-12}
    if cap:
        params["cap"] = float(cap)
    rim = weightipy.scheme_from_dict(scheme, name="rim", rim_params=params)
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):  # weightipy prints its convergence messages
        w = weightipy.weight(df, rim).to_numpy(dtype=float)
    if "did not" in chatter.getvalue() or "partial" in chatter.getvalue():
        notes.append("raking " + chatter.getvalue().strip().splitlines()[0].lower())
    return w / w.mean(), notes


def margin_error(sample: pd.DataFrame, weights: np.ndarray, targets: dict[str, dict[str, float]]) -> float:
    """Largest gap, over every margin and category, between the weighted share
    among respondents who stated a value and the population share (rescaled
    to the categories present)."""
    worst = 0.0
    for column, shares in targets.items():
        x = sample[column].to_numpy(dtype=object)
        known = pd.notna(x)
        present = {k: v for k, v in shares.items() if np.any(x[known] == k)}
        total_share = sum(present.values())
        w_known = weights[known].sum()
        for k, v in present.items():
            got = weights[known & (x == k)].sum() / w_known
            worst = max(worst, abs(got - v / total_share))
    return worst


def compute_survey_weights(con: duckdb.DuckDBPyConnection, reference_dir: Path | None = None, log=print) -> None:
    """Rewrite `survey_weights` and `survey_weighting_waves` from the responses in the warehouse."""
    from pipelines import models

    reference_dir = reference_dir or settings.REFERENCE_DIR
    con.execute(WEIGHT_TABLES_DDL)
    models.build(con, layers=("staging",))  # stg_survey_responses: one row per response, corrections applied
    schemes = load_schemes(reference_dir)
    profile = pd.read_csv(reference_dir / "population_profile.csv", dtype=str, keep_default_na=False)
    wards = pd.read_csv(reference_dir / "wards.csv", dtype=str, keep_default_na=False)
    weights, waves = [], []
    for survey, scheme in schemes.items():
        targets = population_targets(scheme, profile, wards)
        delivered = con.execute(
            "SELECT wave, count(*) AS n, count(weight) AS weighted FROM stg_survey_responses "
            "WHERE survey = ? GROUP BY wave ORDER BY wave", [survey]).df()
        for wave, n, weighted in delivered.itertuples(index=False):
            if weighted > 0:
                continue  # delivered weights are used as delivered
            cols = ", ".join(f'"{c}"' for c in scheme.margins)
            sample = con.execute(
                f"SELECT response_id, {cols} FROM stg_survey_responses WHERE survey = ? AND wave = ? "
                "ORDER BY response_id", [survey, wave]).df()
            row = {"survey": survey, "wave": wave, "population": scheme.population,
                   "margins": list(scheme.margins), "cap": scheme.cap, "respondents": int(n)}
            if n < scheme.min_respondents:
                waves.append({**row, "status": "not weighted",
                              "note": f"fewer than {scheme.min_respondents} respondents: left unweighted"})
                continue
            try:
                w, notes = rake(sample, targets, scheme.cap)
            except ValueError as e:
                waves.append({**row, "status": "not weighted", "note": f"could not be weighted: {e}"})
                log(f"  survey weighting: {survey} {wave} left unweighted ({e})")
                continue
            weights.append(pd.DataFrame({"response_id": sample["response_id"], "survey": survey, "wave": wave,
                                         "weight": w}))
            waves.append({**row, "status": "computed", "effective_base": effective_base(w),
                          "design_effect": design_effect(w), "min_weight": float(w.min()),
                          "max_weight": float(w.max()), "max_margin_error": margin_error(sample, w, targets),
                          "note": "; ".join(notes) or None})
            log(f"  survey weighting: {survey} {wave} raked to {', '.join(scheme.margins)} "
                f"(n {n:,}, effective base {effective_base(w):,.0f})")
    all_weights = (pd.concat(weights, ignore_index=True) if weights else  # noqa: F841 - read by DuckDB
                   pd.DataFrame({"response_id": [], "survey": [], "wave": [], "weight": []}))
    wave_cols = ["survey", "wave", "status", "population", "margins", "cap", "respondents", "effective_base",
                 "design_effect", "min_weight", "max_weight", "max_margin_error", "note"]
    all_waves = pd.DataFrame(waves, columns=wave_cols)
    all_waves["margins"] = all_waves["margins"].map(json.dumps)  # noqa: F841
    con.execute("BEGIN")
    con.execute("DELETE FROM survey_weights; DELETE FROM survey_weighting_waves")
    if len(all_weights):
        con.execute("INSERT INTO survey_weights SELECT response_id, survey, wave, weight::DOUBLE FROM all_weights")
    if len(all_waves):
        con.execute("""INSERT INTO survey_weighting_waves SELECT survey, wave, status, population,
                           from_json(margins, '["VARCHAR"]'), cap, respondents, effective_base, design_effect,
                           min_weight, max_weight, max_margin_error, note FROM all_waves""")
    con.execute("COMMIT")
