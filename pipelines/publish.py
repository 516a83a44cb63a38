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
    """The published run `current` points to (a real folder there is returned as is)."""
    current = marts_dir / "current"
    return current.resolve() if current.exists() else None


def staging_area(marts_dir: Path, run_id: str) -> Path:
    """Where a run writes before publishing (removed as a leftover if the run dies)."""
    runs = marts_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    return runs / f".tmp-{run_id}"


def _finite_select(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[str, dict[str, int]]:
    """SELECT of a mart with NaN and infinity made NULL, and how many there were per column.

    A NaN or an infinity is never a figure the Board can read (a share of 0/0, a
    sum that overflowed): published, it would show as 'nan' or a status computed
    from nothing. The models should not make one; this is the last guard."""
    floats = [c for c, t, *_ in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
              if t in ("DOUBLE", "FLOAT", "REAL")]
    if not floats:
        return f"SELECT * FROM {relation}", {}
    counts = con.execute("SELECT " + ", ".join(f'count_if(NOT isfinite("{c}"))' for c in floats)
                         + f" FROM {relation}").fetchone()
    bad = {c: int(n) for c, n in zip(floats, counts, strict=True) if n}
    if not bad:
        return f"SELECT * FROM {relation}", {}
    replace = ", ".join(f'CASE WHEN isfinite("{c}") THEN "{c}" END AS "{c}"' for c in bad)
    return f"SELECT * REPLACE ({replace}) FROM {relation}", bad


def publish(con: duckdb.DuckDBPyConnection, marts_dir: Path, run_id: str, manifest: dict, log=print) -> Path:
    runs = marts_dir / "runs"
    staging = staging_area(marts_dir, run_id)
    staging.mkdir(exist_ok=True)  # Data Docs may already be in it
    row_counts = {}
    non_finite: dict[str, int] = {}
    for name in mart_names():
        target = staging / f"{name}.parquet"
        select, bad = _finite_select(con, f"marts.{name}")
        non_finite.update({f"{name}.{c}": n for c, n in bad.items()})
        con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        row_counts[name] = con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0]
        _fsync_file(target)
    for column, n in non_finite.items():
        log(f"  WARNING: {column}: {n:,} NaN or infinite value(s) published as empty (a model made them)")
    current = marts_dir / "current"
    replaced = marts_dir / f"current.replaced-{run_id}" if current.is_dir() and not current.is_symlink() else None
    manifest = dict(manifest, row_counts=row_counts, non_finite_values=non_finite,
                    current_replaced=str(replaced) if replaced else None)
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    _fsync_file(staging / MANIFEST)
    _fsync_dir(staging)

    final = runs / run_id
    os.rename(staging, final)
    _fsync_dir(runs)
    link = marts_dir / f".current-{run_id}"
    try:
        link.symlink_to(Path("runs") / run_id)
        if replaced:
            _switch_over_a_folder(link, current, replaced)
            log(f"  {current} was a folder, not the link a run publishes through: it is kept as "
                f"{replaced.name} (look at it, then delete it) and current now points to runs/{run_id}")
        else:
            os.replace(link, current)  # the atomic switch
        _fsync_dir(marts_dir)
    except BaseException:
        link.unlink(missing_ok=True)
        shutil.rmtree(final, ignore_errors=True)  # not published: leave no run folder behind
        raise
    _prune(runs, keep=KEEP_PUBLISHED_RUNS, current=final)
    return final


def _switch_over_a_folder(link: Path, current: Path, keep_as: Path) -> None:
    """Put the link where a real folder named `current` is, keeping the folder.

    rename(2) cannot replace a folder with a link, so the two are exchanged in
    one step (renameat2 RENAME_EXCHANGE, Linux): a reader sees the old folder or
    the new run, never nothing. Where that is not available, the folder is moved
    aside first and the link put in place straight after."""
    if not _exchange(link, current):
        os.rename(current, keep_as)
        os.replace(link, current)
        return
    os.rename(link, keep_as)  # `link` now names the old folder


def _exchange(a: Path, b: Path) -> bool:
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _prune(runs: Path, keep: int, current: Path) -> None:
    published = sorted((p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".")),
                       key=lambda p: p.name)
    for old in published[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
