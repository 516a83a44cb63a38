"""What every generator gets (options, reference data, calendar, randomness) and
what it hands back (files and rows written, faults planted, monthly volumes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.demo import calendar as cal
from tools.demo.faults import FaultLog
from tools.demo.randomness import stream
from tools.demo.refdata import Reference
from tools.demo.writer import Delivery

SOURCES = ["calls", "contacts", "channel_costs", "complaints", "survey_responses", "staff_training", "workforce",
           "action_plan", "kpi_commentary"]


@dataclass(frozen=True)
class DemoConfig:
    raw_dir: Path
    seed: int = 42
    scale: float = 1.0
    start: str = cal.SERIES_START
    end: str = field(default_factory=cal.default_end)
    faults: bool = True

    @property
    def start_date(self) -> dt.date:
        return cal.first_day(self.start)

    @property
    def end_date(self) -> dt.date:
        return cal.last_day(self.end)

    @property
    def months(self) -> list[str]:
        return cal.months_between(self.start, self.end)


class Context:
    """Per-process state of one generator: built from the config, so a generator can
    run in a worker process and give the same bytes as in the parent."""

    def __init__(self, config: DemoConfig):
        self.config = config
        self.ref = Reference()
        self.calendar = cal.WorkCalendar(self.ref.bank_holidays)
        self.delivery = Delivery(config.raw_dir)
        self.faults = FaultLog(enabled=config.faults)

    def rng(self, name: str, *keys: int) -> np.random.Generator:
        return stream(self.config.seed, name, *keys)

    @property
    def scale(self) -> float:
        return self.config.scale

    def result(self, volumes: dict | None = None) -> SourceResult:
        return SourceResult(files=dict(self.delivery.files), rows=dict(self.delivery.rows),
                            faults=self.faults.records, volumes=volumes or {})


@dataclass
class SourceResult:
    files: dict[str, int]
    rows: dict[str, int]
    faults: list[dict]
    # month -> channel -> contacts, for the finance ledger (costs follow volumes)
    volumes: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
