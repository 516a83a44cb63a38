"""Run the SQL models in pipelines/models/ in dependency order.

Layers, as in a dbt project: `staging/` (one row per key, corrections applied),
`intermediate/` (tables: enriched rows and KPI calculations), `marts/` (tables
in schema `marts`, each published as `<name>.parquet`). A file holds one
SELECT; its name is the model's name. Within a layer, a model that names
another model of the layer runs after it.

Staging models are views, intermediate and mart models tables, rebuilt every
run; a model whose file declares itself incremental (pipelines/incremental.py)
is a table brought up to date with only what changed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from pipelines import model_refresh
from pipelines.incremental import ByPeriod, Declaration, DeclarationError, State, parse_declaration
from pipelines.settings import MODELS_DIR
from pipelines.statistics import register_sql_functions

LAYERS = (("staging", "VIEW", "main"), ("intermediate", "TABLE", "main"), ("marts", "TABLE", "marts"))


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    materialisation: str
    schema: str
    sql: str
    incremental: Declaration | None = None

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


def discover_models(directory: Path = MODELS_DIR) -> list[Model]:
    ordered: list[Model] = []
    for layer, materialisation, schema in LAYERS:
        files = {p.stem: p.read_text(encoding="utf-8") for p in sorted((directory / layer).glob("*.sql"))}
        graph = {
            name: {other for other in files if other != name and re.search(rf"\b{re.escape(other)}\b", sql)}
            for name, sql in files.items()
        }
        for name in TopologicalSorter(graph).static_order():
            declaration = parse_declaration(files[name], f"{layer}/{name}.sql")
            if declaration is not None and layer == "marts":
                raise DeclarationError(f"marts/{name}.sql: marts are rebuilt every run (published in their "
                                       "row order); declare an intermediate model incremental instead")
            ordered.append(Model(name, layer, "TABLE" if declaration else materialisation, schema, files[name],
                                 declaration))
    _check_inputs(ordered)
    return ordered


def _check_inputs(models: list[Model]) -> None:
    declared = {m.name: m for m in models if m.incremental}
    position = {m.name: i for i, m in enumerate(models)}
    for m in declared.values():
        if isinstance(m.incremental, ByPeriod):
            for name in m.incremental.inputs:
                if name not in declared:
                    raise DeclarationError(
                        f"{m.layer}/{m.name}.sql: input {name} is not an incremental model; declare it, or "
                        "leave it out of `inputs:` (the model is then rebuilt in full when it changes)")
                if position[name] > position[m.name]:
                    raise DeclarationError(f"{m.layer}/{m.name}.sql: input {name} is built after it")


@dataclass(frozen=True)
class ModelRun:
    seconds: float
    outcome: str  # what was done: "rebuilt", "merged ...", "rebuilt 2026-11", "carried over ..."


def mart_names(directory: Path = MODELS_DIR) -> list[str]:
    return [m.name for m in discover_models(directory) if m.layer == "marts"]


def _quiet(*_args, **_kwargs) -> None:
    pass


def build(con: duckdb.DuckDBPyConnection, log=_quiet, layers: tuple[str, ...] | None = None) -> dict[str, ModelRun]:
    """Bring every model (or only those of `layers`) up to date; returns what was done per model.

    Logs one line per model: what was done and how long it took. The
    statistics the models use (Wilson intervals, tests) are Python functions
    registered on the connection first (pipelines/statistics.py)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    register_sql_functions(con)
    everything = discover_models()
    state = State(con)
    versions = model_refresh.Versions(con, state, {m.name: m for m in everything})
    runs: dict[str, ModelRun] = {}
    for model in everything:
        if layers is not None and model.layer not in layers:
            continue
        started = time.perf_counter()
        try:
            outcome = model_refresh.refresh(con, model, state, versions)
        except duckdb.Error as e:
            _rollback(con)
            raise RuntimeError(f"model {model.layer}/{model.name}.sql failed: {e}") from e
        except BaseException:
            _rollback(con)
            raise
        runs[model.name] = ModelRun(time.perf_counter() - started, outcome)
        log(f"  model {model.layer + '/' + model.name:<42} {runs[model.name].seconds:6.2f} s  {outcome}")
    state.prune({m.name for m in everything}, {m.name: m.incremental for m in everything if m.incremental})
    return runs


def forget_built(con: duckdb.DuckDBPyConnection) -> None:
    """The next build rebuilds every model in full (an operator's --rebuild-models)."""
    State(con).forget()


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # no transaction was open
