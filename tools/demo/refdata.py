"""The reference tables the demo data must agree with (data/reference/*.csv).

Read with the csv module so importing the generator stays cheap and the demo
uses exactly the codes the pipeline validates against.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipelines.settings import REFERENCE_DIR


def _rows(name: str, folder: Path) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@dataclass
class Reference:
    folder: Path = REFERENCE_DIR

    @cached_property
    def services(self) -> dict[str, str]:
        """service_code -> directorate."""
        return {r["service_code"]: r["directorate"] for r in _rows("services.csv", self.folder)}

    @cached_property
    def directorates(self) -> list[str]:
        return [r["directorate"] for r in _rows("directorates.csv", self.folder)]

    @cached_property
    def wards(self) -> list[dict[str, str]]:
        return _rows("wards.csv", self.folder)

    @cached_property
    def ward_codes(self) -> list[str]:
        return [w["ward_code"] for w in self.wards]

    @cached_property
    def ward_population(self) -> list[float]:
        return [float(w["population_census_2021"]) for w in self.wards]

    @cached_property
    def sites(self) -> list[dict[str, str]]:
        return _rows("sites.csv", self.folder)

    def sites_of_type(self, site_type: str) -> list[str]:
        return [s["site"] for s in self.sites if s["site_type"] == site_type]

    @cached_property
    def bank_holidays(self) -> list[str]:
        return sorted(r["holiday_date"] for r in _rows("bank_holidays.csv", self.folder))

    @cached_property
    def questions(self) -> dict[str, dict]:
        """question_id -> {survey, scale (list), positive (list)}."""
        out = {}
        for r in _rows("survey_questions.csv", self.folder):
            out[r["question_id"]] = {"survey": r["survey"], "scale": r["answer_scale"].split("|"),
                                     "positive": r["positive_answers"].split("|"),
                                     "first_wave": r["first_wave"]}
        return out

    def survey_questions(self, survey: str) -> list[str]:
        return [q for q, v in self.questions.items() if v["survey"] == survey]

    @cached_property
    def population_profile(self) -> dict[str, dict[str, float]]:
        """dimension -> {category: share} (Census 2021 targets for raking)."""
        out: dict[str, dict[str, float]] = {}
        for r in _rows("population_profile.csv", self.folder):
            out.setdefault(r["dimension"], {})[r["category"]] = float(r["share"])
        return out
