"""Run every generator and write the fault list: the whole demo data set.

Calls and contacts are the bulk (millions of rows); they are independent, so on
big runs they go to two worker processes (the server has 2 cores) while the
small sources follow. Every generator draws from its own seeded streams, so
the bytes are the same however the work is split. The finance ledger comes
last: its costs follow the volumes the calls and contacts generators counted.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from tools.demo import action_plan, calls, commentary, complaints, contacts, costs, surveys, workforce
from tools.demo.context import SOURCES, DemoConfig, SourceResult
from tools.demo.faults import sort_key

FAULTS_FILE = "_demo_faults.json"
# Below this many expected call rows, worker processes cost more than they save.
PARALLEL_FROM_ROWS = 300_000

# run in this order; the big two first so they overlap
STEPS = [calls.generate, contacts.generate, complaints.generate, surveys.generate, workforce.generate,
         action_plan.generate, commentary.generate]


class ExistingData(Exception):
    pass


@dataclass
class Summary:
    files: dict[str, int]
    rows: dict[str, int]
    faults: int
    seconds: float


def prepare(config: DemoConfig, overwrite: bool) -> None:
    """Refuse to mix with extracts already in RAW unless told to replace them (only the
    eight source folders and the fault list are removed, nothing else)."""
    raw = config.raw_dir
    existing = [s for s in SOURCES if (raw / s).is_dir() and any((raw / s).iterdir())]
    if (raw / FAULTS_FILE).exists():
        existing.append(FAULTS_FILE)
    if existing and not overwrite:
        raise ExistingData(f"{raw} already holds extracts ({', '.join(existing)}); use --overwrite to replace them")
    for s in SOURCES:
        if (raw / s).is_dir():
            shutil.rmtree(raw / s)
    (raw / FAULTS_FILE).unlink(missing_ok=True)
    raw.mkdir(parents=True, exist_ok=True)


def _workers(config: DemoConfig, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    expected_calls = 350_000 * config.scale * len(config.months) / 12
    if expected_calls < PARALLEL_FROM_ROWS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return 2


def generate(config: DemoConfig, overwrite: bool = False, jobs: int | None = None) -> Summary:
    t0 = time.perf_counter()
    prepare(config, overwrite)
    workers = _workers(config, jobs)
    if workers == 1:
        results = [step(config) for step in STEPS]
    else:
        # fork: the children inherit the loaded modules (no re-import of __main__)
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = [f.result() for f in [pool.submit(step, config) for step in STEPS]]
    volumes: dict[str, dict[str, int]] = defaultdict(dict)
    for r in results:
        for month, by_channel in r.volumes.items():
            volumes[month].update(by_channel)
    results.append(costs.generate(config, volumes))
    return _finish(config, results, time.perf_counter() - t0)


def _finish(config: DemoConfig, results: list[SourceResult], seconds: float) -> Summary:
    files: dict[str, int] = {s: 0 for s in SOURCES}
    rows: dict[str, int] = {s: 0 for s in SOURCES}
    faults = []
    for r in results:
        for s, n in r.files.items():
            files[s] += n
        for s, n in r.rows.items():
            rows[s] += n
        faults.extend(r.faults)
    faults.sort(key=sort_key)
    (config.raw_dir / FAULTS_FILE).write_text(json.dumps(faults, indent=1) + "\n", encoding="utf-8")
    return Summary(files=files, rows=rows, faults=len(faults), seconds=seconds)
