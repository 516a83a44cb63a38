"""Run the SQL models in pipelines/models/ in dependency order.

Layers, as in a dbt project: `staging/` (views: one row per key, corrections
applied), `intermediate/` (tables: enriched rows and KPI calculations), `marts/`
(tables in schema `marts`, each published as `<name>.parquet`). A file holds
one SELECT; its name is the model's name. Within a layer, a model that names
another model of the layer runs after it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

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
            ordered.append(Model(name, layer, materialisation, schema, files[name]))
    return ordered


def mart_names(directory: Path = MODELS_DIR) -> list[str]:
    return [m.name for m in discover_models(directory) if m.layer == "marts"]


def build(con: duckdb.DuckDBPyConnection, log=print, layers: tuple[str, ...] | None = None) -> dict[str, float]:
    """Create or replace every model (or only those of `layers`); returns seconds per model.

    The statistics the models use (Wilson intervals, tests) are Python functions
    registered on the connection first (pipelines/statistics.py)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    register_sql_functions(con)
    timings = {}
    for model in discover_models():
        if layers is not None and model.layer not in layers:
            continue
        started = time.perf_counter()
        try:
            con.execute(f"CREATE OR REPLACE {model.materialisation} {model.relation} AS\n{model.sql}")
        except duckdb.Error as e:
            raise RuntimeError(f"model {model.layer}/{model.name}.sql failed: {e}") from e
        timings[model.name] = time.perf_counter() - started
    return timings
