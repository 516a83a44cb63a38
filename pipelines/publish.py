"""Publish the marts to MARTS/current/ atomically.

Layout:  MARTS/runs/<run_id>/*.parquet + manifest.json
         MARTS/current -> runs/<run_id>      (a symbolic link)

A run writes its marts into a hidden folder, flushes them to disk, renames the
folder into runs/, then swaps the `current` link with one rename(2), which is
atomic: a reader sees the old run or the new one, never a mix. A run killed at
any point leaves `current` pointing at the last complete run; its leftovers are
removed by the next run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from pipelines.models import mart_names
from pipelines.settings import KEEP_PUBLISHED_RUNS

MANIFEST = "manifest.json"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def clean_leftovers(marts_dir: Path) -> None:
    """Remove what a killed run may have left half-written."""
    runs = marts_dir / "runs"
    if runs.is_dir():
        for p in runs.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)
    for p in marts_dir.glob(".current-*"):
        p.unlink(missing_ok=True)


def current_run_dir(marts_dir: Path) -> Path | None:
    current = marts_dir / "current"
    return current.resolve() if current.exists() else None


def staging_area(marts_dir: Path, run_id: str) -> Path:
    """Where a run writes before publishing (removed as a leftover if the run dies)."""
    runs = marts_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    return runs / f".tmp-{run_id}"


def publish(con: duckdb.DuckDBPyConnection, marts_dir: Path, run_id: str, manifest: dict) -> Path:
    runs = marts_dir / "runs"
    staging = staging_area(marts_dir, run_id)
    staging.mkdir(exist_ok=True)  # Data Docs may already be in it
    row_counts = {}
    for name in mart_names():
        target = staging / f"{name}.parquet"
        con.execute(f"COPY marts.{name} TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        row_counts[name] = con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0]
        _fsync_file(target)
    manifest = dict(manifest, row_counts=row_counts)
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    _fsync_file(staging / MANIFEST)
    _fsync_dir(staging)

    final = runs / run_id
    os.rename(staging, final)
    _fsync_dir(runs)
    link = marts_dir / f".current-{run_id}"
    link.symlink_to(Path("runs") / run_id)
    os.replace(link, marts_dir / "current")  # the atomic switch
    _fsync_dir(marts_dir)
    _prune(runs, keep=KEEP_PUBLISHED_RUNS, current=final)
    return final


def _prune(runs: Path, keep: int, current: Path) -> None:
    published = sorted((p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".")),
                       key=lambda p: p.name)
    for old in published[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
