"""How models declare themselves incremental (pipelines/incremental.py): the
declarations of the real model files, the months a change reaches through each
kind of lookback, and clear errors for declarations that cannot be used."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from pipelines.incremental import (
    ByKey,
    ByPeriod,
    DeclarationError,
    Lookback,
    affected_months,
    is_volatile,
    month_runs,
    parse_declaration,
)
from pipelines.models import discover_models
from pipelines.settings import MODELS_DIR

D = dt.date


def test_the_big_models_are_declared_and_every_other_model_is_rebuilt():
    models = {m.name: m for m in discover_models()}
    assert models["stg_calls"].incremental == ByKey(("call_id",), "offered_at", "land_calls")
    assert models["stg_contacts"].incremental == ByKey(("contact_id",), "started_at", "land_contacts")
    assert models["int_calls"].incremental == ByPeriod("month", {"stg_calls": Lookback(days=8)})
    assert models["int_contacts_monthly"].incremental.inputs == {"int_calls": Lookback(), "stg_contacts": Lookback()}
    for name in ("stg_calls", "stg_contacts"):
        assert models[name].materialisation == "TABLE"
    assert models["stg_complaints"].incremental is None and models["stg_complaints"].materialisation == "VIEW"
    assert all(m.incremental is None for m in models.values() if m.layer == "marts")


def test_a_new_model_without_a_declaration_is_rebuilt_every_run(tmp_path):
    shutil.copytree(MODELS_DIR, tmp_path / "models")
    (tmp_path / "models" / "intermediate" / "int_new_thing.sql").write_text(
        "-- a colleague's new model\nSELECT month, count(*) AS n FROM int_calls GROUP BY ALL\n")
    new = {m.name: m for m in discover_models(tmp_path / "models")}["int_new_thing"]
    assert new.incremental is None and new.materialisation == "TABLE"


def test_a_lookback_reaches_the_months_after_a_change():
    nov = {D(2024, 11, 1)}
    assert affected_months(nov, Lookback()) == nov
    assert affected_months(nov, Lookback(days=8)) == {D(2024, 11, 1), D(2024, 12, 1)}
    # a year-ago comparison: the month and the twelve after it
    assert affected_months(nov, Lookback(months=12)) == {D(2024, 11, 1)} | {
        D(2024 + (10 + i) // 12, (10 + i) % 12 + 1, 1) for i in range(1, 13)}
    # a financial-year pool: the rest of the year from April, not beyond March
    assert affected_months(nov, Lookback(financial_year=True)) == {
        D(2024, 11, 1), D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)}
    assert affected_months({D(2025, 3, 1)}, Lookback(financial_year=True)) == {D(2025, 3, 1)}
    assert Lookback(financial_year=True).reads_from(D(2025, 2, 1)) == D(2024, 4, 1)
    assert Lookback(days=8).reads_from(D(2025, 3, 1)) == D(2025, 2, 21)


def test_consecutive_months_are_rebuilt_together():
    months = {D(2023, 3, 1), D(2023, 4, 1), D(2025, 3, 1), D(2023, 12, 1), D(2024, 1, 1)}
    assert month_runs(months) == [(D(2023, 3, 1), D(2023, 4, 1)), (D(2023, 12, 1), D(2024, 1, 1)),
                                  (D(2025, 3, 1), D(2025, 3, 1))]


@pytest.mark.parametrize("block, message", [
    ("incremental: [unique_key", "not valid YAML"),
    ("incremental:\n  partition: month\n  inputs: {stg_calls: a week}", "lookback 'a week'"),
    ("incremental:\n  partition: month", "needs `partition:`"),
    ("incremental:\n  unique_key: [id]\n  period: at", "needs `rows_from:`"),
    ("incremental:\n  unique_key: [id]\n  period: at\n  rows_from: land_x\n  order: x", "unknown field(s) order"),
    ("incremental:\n  grain: month", "say either"),
])
def test_a_declaration_that_cannot_be_used_says_why(block, message):
    with pytest.raises(DeclarationError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        parse_declaration(f"/* {block} */\nSELECT 1", "intermediate/int_x.sql")
    assert "intermediate/int_x.sql" in str(e.value)


def test_declarations_the_runner_cannot_honour_are_refused(tmp_path):
    shutil.copytree(MODELS_DIR, tmp_path / "models")
    mart = tmp_path / "models" / "marts" / "fct_calls_monthly.sql"
    mart.write_text("/* incremental:\n  partition: month\n  inputs: {int_calls: same month} */\n" + mart.read_text())
    with pytest.raises(DeclarationError, match="marts are rebuilt every run"):
        discover_models(tmp_path / "models")
    mart.write_text(mart.read_text().split("*/\n", 1)[1])
    model = tmp_path / "models" / "intermediate" / "int_kpi_training.sql"
    model.write_text("/* incremental:\n  partition: month\n  inputs: {stg_workforce: same month} */\n"
                     + model.read_text())
    with pytest.raises(DeclarationError, match="stg_workforce is not an incremental model"):
        discover_models(tmp_path / "models")


def test_clock_and_random_functions_make_a_model_rebuild_every_run():
    assert is_volatile("SELECT now() AS at")
    assert is_volatile("SELECT * FROM t WHERE d < current_date")
    assert not is_volatile("-- not now()\nSELECT nowhere FROM t")
