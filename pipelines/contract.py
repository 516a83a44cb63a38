"""The data contract's source definitions (pipelines/contract/sources.yaml) as objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from pipelines.settings import CONTRACT_FILE

TYPES = {"text", "timestamp", "date", "month", "bool", "decimal", "number", "integer"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    pseudonymised: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    formats: tuple[str, ...]
    key: tuple[str, ...]
    event_column: str
    columns: tuple[Column, ...]
    question_columns: bool = False
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def pseudonymised_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pseudonymised)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _parse(raw: dict) -> dict[str, Source]:
    sources = {}
    for name, spec in raw["sources"].items():
        columns = []
        for col_name, col in spec["columns"].items():
            if col["type"] not in TYPES:
                raise ValueError(f"sources.yaml: {name}.{col_name} has unknown type {col['type']!r}")
            columns.append(Column(col_name, col["type"], bool(col.get("required", True)),
                                  bool(col.get("pseudonymised", False))))
        sources[name] = Source(
            name=name,
            description=spec.get("description", ""),
            formats=tuple(spec.get("formats", ["csv"])),
            key=tuple(spec["key"]),
            event_column=spec["event_column"],
            columns=tuple(columns),
            question_columns=bool(spec.get("question_columns", False)),
        )
    return sources


@cache
def load_sources(path: Path = CONTRACT_FILE) -> dict[str, Source]:
    with open(path, encoding="utf-8") as f:
        return _parse(yaml.safe_load(f))


SOURCE_NAMES = tuple(load_sources())
