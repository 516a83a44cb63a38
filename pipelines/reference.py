"""Reference tables kept in the repository (data/reference/), read as data.

Analysts edit these files; the pipeline loads them into the warehouse as
`ref_*` tables for the SQL models, hands their code lists to the Great
Expectations suites as parameters, and publishes the ones the dashboard needs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from pipelines import settings

# file stem -> warehouse table
CSV_TABLES = {
    "services": "ref_services",
    "directorates": "ref_directorates",
    "wards": "ref_wards",
    "channels": "ref_channels",
    "sites": "ref_sites",
    "age_bands": "ref_age_bands",
    "population_profile": "ref_population_profile",
    "survey_questions": "ref_survey_questions",
    "complaint_timescales": "ref_complaint_timescales",
    "bank_holidays": "ref_bank_holidays",
    "events": "ref_events",
    "disclosure_dimensions": "ref_disclosure_dimensions",
    "benchmarks": "ref_benchmarks",
    "equality_measures": "ref_equality_measures",
}

KPI_UNITS = {"rate", "count", "gbp", "seconds", "per_10k"}
KPI_POLARITIES = {"higher", "lower", "none"}
KPI_KINDS = {"records", "survey"}
KPI_CADENCES = {"monthly", "wave"}


class ReferenceError(ValueError):
    """A reference file is missing or malformed; the message names the file."""


@dataclass
class Reference:
    # read at call time, so CX_REFERENCE_DIR or a test can point elsewhere
    directory: Path = field(default_factory=lambda: settings.REFERENCE_DIR)

    def csv(self, stem: str) -> pd.DataFrame:
        path = self.directory / f"{stem}.csv"
        if not path.exists():
            raise ReferenceError(f"reference table {path} is missing")
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        except (ValueError, UnicodeDecodeError) as e:  # pandas' ParserError is a ValueError
            raise ReferenceError(f"reference table {path} cannot be read: {e}") from None

    @cached_property
    def catalogue(self) -> dict:
        path = self.directory / "kpi_catalogue.yaml"
        try:
            with open(path, encoding="utf-8") as f:
                cat = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            raise ReferenceError(f"{path} cannot be read: {str(e).strip()}") from None
        _check_catalogue(cat, path)
        return cat

    @cached_property
    def fingerprint(self) -> str:
        """Hash of every reference file: a change re-validates what depends on it."""
        h = hashlib.sha256()
        for path in sorted(self.directory.glob("*")):
            if path.is_file():
                h.update(path.name.encode())
                h.update(path.read_bytes())
        return h.hexdigest()[:16]

    # ---- code lists handed to the expectation suites as $PARAMETERs
    @cached_property
    def suite_parameters(self) -> dict[str, list]:
        services = self.csv("services")
        questions = self.csv("survey_questions")
        answer_pairs = [
            [row.question_id, answer]
            for row in questions.itertuples()
            for answer in row.answer_scale.split("|")
        ]
        return {
            "service_codes": sorted(services.service_code),
            "directorates": sorted(self.csv("directorates").directorate),
            "service_directorate_pairs": sorted([r.service_code, r.directorate] for r in services.itertuples()),
            "ward_codes": sorted(self.csv("wards").ward_code),
            "channels": sorted(self.csv("channels").channel),
            "age_bands": sorted(self.csv("age_bands").age_band),
            "sites": sorted(self.csv("sites").site),
            "question_ids": sorted(questions.question_id),
            "question_answers": [f"{q}|{a}" for q, a in answer_pairs],
            # the KPI catalogue, for owners' commentary (expectations/kpi_commentary.json)
            "kpi_ids": sorted(k["id"] for k in self.catalogue["kpis"]),
            "wave_kpi_ids": sorted(k["id"] for k in self.catalogue["kpis"] if k["cadence"] == "wave"),
        }

    @cached_property
    def question_ids(self) -> set[str]:
        return set(self.csv("survey_questions").question_id)

    # ---- KPI catalogue as tables
    def kpi_table(self) -> pd.DataFrame:
        outcomes = {o["id"]: o for o in self.catalogue["outcomes"]}
        rows = []
        for order, k in enumerate(self.catalogue["kpis"]):
            base = k.get("baseline") or {}
            targets = k.get("targets") or []
            rows.append({
                "kpi_id": k["id"],
                "name": k["name"],
                "outcome": int(k["outcome"]),
                "outcome_name": outcomes[k["outcome"]]["name"],
                "headline": bool(k.get("headline", False)),
                "sort_order": order,
                "definition": k["definition"],
                "unit": k["unit"],
                "kind": k["kind"],
                "cadence": k["cadence"],
                "valid_min": _bound(k["valid_range"][0]),
                "valid_max": _bound(k["valid_range"][1]),
                "display_decimals": int(self.catalogue["status_rule"]["decimals"][k["unit"]]),
                "display_max_decimals": int(self.catalogue["status_rule"]["decimals"][k["unit"]])
                                        + int(self.catalogue["status_rule"]["most_extra_decimals"]),
                "polarity": k["polarity"],
                "target_status": k.get("target_status") if targets else None,
                "amber_band": float(k["amber_band"]) if targets else None,
                "target_applies_to_breakdowns": bool(k.get("target_applies_to_breakdowns", False)),
                "latest_target": float(targets[-1]["value"]) if targets else None,
                "baseline_value": None if base.get("value") is None else float(base["value"]),
                "baseline_period": base.get("period"),
                "baseline_source": base.get("source"),
                "owner": k.get("owner"),
                "source": k.get("source"),
                "sources": list(k["sources"]),
                # what the figure is a share of, where figures of the same name differ
                # (e.g. digital take-up of all contacts, of contacts that record an age)
                "base": str(k["base"]) if k.get("base") else None,
                "breakdown_bases": json.dumps({str(d): str(b) for d, b in (k.get("breakdown_bases") or {}).items()}),
            })
        return pd.DataFrame(rows)

    def kpi_targets_table(self) -> pd.DataFrame:
        """One row per KPI and target period: [valid_from, valid_to) months."""
        rows = []
        for k in self.catalogue["kpis"]:
            targets = sorted(k.get("targets") or [], key=lambda t: str(t["from"]))
            for i, t in enumerate(targets):
                nxt = targets[i + 1]["from"] if i + 1 < len(targets) else None
                rows.append({
                    "kpi_id": k["id"],
                    "valid_from": f"{t['from']}-01",
                    "valid_to": None if nxt is None else f"{nxt}-01",
                    "target": float(t["value"]),
                    "amber_band": float(k["amber_band"]),
                    "polarity": k["polarity"],
                    "applies_to_breakdowns": bool(k.get("target_applies_to_breakdowns", False)),
                })
        df = pd.DataFrame(rows)
        df["valid_from"] = pd.to_datetime(df["valid_from"]).dt.date
        df["valid_to"] = pd.to_datetime(df["valid_to"]).dt.date
        return df

    def status_rule_table(self) -> pd.DataFrame:
        """The catalogue's rule for printing a figure beside its status (one row)."""
        rule = self.catalogue["status_rule"]
        return pd.DataFrame([{"statement": " ".join(str(rule["statement"]).split()),
                              "most_extra_decimals": int(rule["most_extra_decimals"])}])

    def outcomes_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.catalogue["outcomes"]).rename(columns={"id": "outcome"})

    def strategy_table(self) -> pd.DataFrame:
        """The strategy's name and dates (one row): its end month is when its targets are judged."""
        s = self.catalogue.get("strategy") or {}
        df = pd.DataFrame([{"name": s.get("name"), "adopted_on": s.get("adopted_on"), "ends_on": s.get("ends_on"),
                            "monitored_by": s.get("monitored_by")}])
        for col in ("adopted_on", "ends_on"):
            df[col] = pd.to_datetime(df[col]).dt.date
        return df

    def check_events(self) -> None:
        """events.csv's rebase_kpis names monthly KPIs of the catalogue (or `all`): SPC
        limits may be recalculated from such an event (fct_kpi_spc). A typo would
        silently never rebase, so it fails the run, naming the event."""
        monthly = {k["id"] for k in self.catalogue["kpis"] if k["cadence"] == "monthly"}
        events = self.csv("events")
        if "rebase_kpis" not in events.columns:
            raise ReferenceError(f"{self.directory / 'events.csv'}: no rebase_kpis column")
        for e in events.itertuples():
            for kpi in filter(None, (k.strip() for k in e.rebase_kpis.split("|"))):
                if kpi != "all" and kpi not in monthly:
                    raise ReferenceError(f"{self.directory / 'events.csv'}: event {e.label!r} rebases {kpi!r}, "
                                         "which is not a monthly KPI of the catalogue")

    # ---- into the warehouse
    def load_into(self, con: duckdb.DuckDBPyConnection) -> None:
        self.check_events()
        for stem, table in CSV_TABLES.items():
            df = self.csv(stem)  # noqa: F841 - read by DuckDB's replacement scan
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM df")
        con.execute("""
            ALTER TABLE ref_wards ALTER population_census_2021 TYPE INTEGER;
            ALTER TABLE ref_wards ALTER population_mid_2024 TYPE INTEGER;
            ALTER TABLE ref_channels ALTER baseline_unit_cost_gbp TYPE DOUBLE;
            ALTER TABLE ref_channels ALTER baseline_low_gbp TYPE DOUBLE;
            ALTER TABLE ref_channels ALTER baseline_high_gbp TYPE DOUBLE;
            ALTER TABLE ref_channels ALTER is_digital TYPE BOOLEAN;
            ALTER TABLE ref_age_bands ALTER sort_order TYPE INTEGER;
            ALTER TABLE ref_age_bands ALTER population_share_16plus TYPE DOUBLE;
            ALTER TABLE ref_population_profile ALTER share TYPE DOUBLE;
            ALTER TABLE ref_complaint_timescales ALTER working_days_allowed TYPE INTEGER;
            ALTER TABLE ref_bank_holidays ALTER holiday_date TYPE DATE;
            ALTER TABLE ref_events ALTER event_date TYPE DATE;
            ALTER TABLE ref_sites ALTER opened_on TYPE DATE;
            ALTER TABLE ref_disclosure_dimensions ALTER protected_characteristic TYPE BOOLEAN;
            ALTER TABLE ref_disclosure_dimensions ALTER min_base TYPE INTEGER;
            ALTER TABLE ref_benchmarks ALTER value TYPE DOUBLE USING NULLIF(value, '')::DOUBLE;
            ALTER TABLE ref_equality_measures ALTER sort_order TYPE INTEGER;
        """)
        kpis = self.kpi_table()  # noqa: F841
        targets = self.kpi_targets_table()  # noqa: F841
        outcomes = self.outcomes_table()  # noqa: F841
        strategy = self.strategy_table()  # noqa: F841
        status_rule = self.status_rule_table()  # noqa: F841
        con.execute("CREATE OR REPLACE TABLE ref_kpis AS SELECT * FROM kpis")
        con.execute("CREATE OR REPLACE TABLE ref_kpi_targets AS SELECT * FROM targets")
        con.execute("CREATE OR REPLACE TABLE ref_outcomes AS SELECT * FROM outcomes")
        con.execute("CREATE OR REPLACE TABLE ref_strategy AS SELECT * FROM strategy")
        con.execute("CREATE OR REPLACE TABLE ref_status_rule AS SELECT * FROM status_rule")


def _check_catalogue(cat: dict, path: Path) -> None:
    """Fail early, naming the KPI, rather than publish a half-labelled dashboard."""
    if not isinstance(cat, dict) or "kpis" not in cat or "outcomes" not in cat:
        raise ReferenceError(f"{path}: expected top-level 'outcomes' and 'kpis'")
    _check_status_rule(cat.get("status_rule"), path)
    outcome_ids = {o["id"] for o in cat["outcomes"]}
    seen = set()
    for k in cat["kpis"]:
        kid = k.get("id", "?")
        for name in ("id", "name", "outcome", "definition", "unit", "kind", "cadence", "valid_range", "polarity",
                     "sources"):
            if name not in k:
                raise ReferenceError(f"{path}: KPI {kid} has no {name}")
        if kid in seen:
            raise ReferenceError(f"{path}: KPI {kid} is listed twice")
        seen.add(kid)
        if k["outcome"] not in outcome_ids:
            raise ReferenceError(f"{path}: KPI {kid} has unknown outcome {k['outcome']}")
        if k["unit"] not in KPI_UNITS:
            raise ReferenceError(f"{path}: KPI {kid} has unknown unit {k['unit']!r}")
        if k["polarity"] not in KPI_POLARITIES:
            raise ReferenceError(f"{path}: KPI {kid} has unknown polarity {k['polarity']!r}")
        if k["kind"] not in KPI_KINDS:
            raise ReferenceError(f"{path}: KPI {kid} has unknown kind {k['kind']!r}")
        if k["cadence"] not in KPI_CADENCES:
            raise ReferenceError(f"{path}: KPI {kid} has unknown cadence {k['cadence']!r}")
        _check_valid_range(k["valid_range"], kid, k["unit"], path)
        _check_sources(k["sources"], kid, path)
        if k.get("targets"):
            if k["polarity"] == "none":
                raise ReferenceError(f"{path}: KPI {kid} has targets but polarity none")
            if "amber_band" not in k:
                raise ReferenceError(f"{path}: KPI {kid} has targets but no amber_band")


def _check_status_rule(rule, path: Path) -> None:
    """The rule for printing figures beside statuses: a statement, places for every unit."""
    if not isinstance(rule, dict) or not str(rule.get("statement") or "").strip():
        raise ReferenceError(f"{path}: expected a status_rule with a statement")
    decimals = rule.get("decimals")
    if not isinstance(decimals, dict) or set(decimals) != KPI_UNITS or not all(
            isinstance(v, int) and 0 <= v <= 6 for v in decimals.values()):
        raise ReferenceError(f"{path}: status_rule.decimals must give 0-6 places for each unit "
                             f"({', '.join(sorted(KPI_UNITS))})")
    extra = rule.get("most_extra_decimals")
    if not isinstance(extra, int) or not 1 <= extra <= 9:
        raise ReferenceError(f"{path}: status_rule.most_extra_decimals must be a whole number from 1 to 9")


def _bound(value) -> float | None:
    return None if value is None else float(value)


def _check_valid_range(rng, kid: str, unit: str, path: Path) -> None:
    """[lowest, highest], either null; a rate can never leave [0, 1] (contract s4)."""
    if not isinstance(rng, list) or len(rng) != 2 or not all(v is None or isinstance(v, int | float) for v in rng):
        raise ReferenceError(f"{path}: KPI {kid} valid_range must be [lowest, highest] (numbers or null)")
    low, high = rng
    if low is not None and high is not None and low > high:
        raise ReferenceError(f"{path}: KPI {kid} valid_range lowest {low} is above highest {high}")
    if unit == "rate" and (low is None or high is None or low < 0 or high > 1):
        raise ReferenceError(f"{path}: KPI {kid} is a rate: its valid_range must lie within [0, 1]")


def _check_sources(sources, kid: str, path: Path) -> None:
    """The landing-zone sources (data contract s2) a KPI is computed from: a month in
    which any of them is incomplete makes the KPI's figure provisional."""
    from pipelines.contract import load_sources

    known = set(load_sources())
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise ReferenceError(f"{path}: KPI {kid} sources must be a non-empty list of source names")
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise ReferenceError(f"{path}: KPI {kid} has unknown source(s) {', '.join(unknown)} "
                             f"(sources are {', '.join(sorted(known))})")
    if len(set(sources)) != len(sources):
        raise ReferenceError(f"{path}: KPI {kid} lists a source twice")
