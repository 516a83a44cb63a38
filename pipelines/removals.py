"""Never blank the Board's figures by accident: a landing zone that empties stops the run.

The warehouse mirrors the landing zone, so a file removed from RAW takes its rows
out of the marts. That is right when an operator takes back one bad delivery, and
a disaster when a mount fails overnight and RAW/ (or one source's folder) comes up
empty. Before anything is read or forgotten, each source's files in RAW are
compared with the files the warehouse holds (or, when the warehouse had to be
rebuilt, with the counts the published manifest records). A run that would
remove all of a source's files, or more than MAX_REMOVED_SHARE of them (two
files or more), stops before publishing and keeps the current marts; the
operator who means it runs again with --allow-removals.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.landing import has_temporary_name
from pipelines.settings import MAX_REMOVED_SHARE


@dataclass(frozen=True)
class Removal:
    source: str
    had: int        # files the published data holds
    still: int      # of them, still in RAW as plain files
    folder_missing: bool

    @property
    def removed(self) -> int:
        return self.had - self.still

    def sentence(self, raw_dir: Path) -> str:
        where = raw_dir / self.source
        if self.folder_missing and where.is_symlink():
            return (f"{self.source}: the folder {where} is a symbolic link, which is not followed; the run would "
                    f"remove all {self.had} of its files and every row they hold")
        if self.folder_missing:
            return (f"{self.source}: the folder {where} is missing (a mount that failed?); the run would remove "
                    f"all {self.had} of its files and every row they hold")
        return (f"{self.source}: the run would remove {self.removed} of {self.had} files "
                f"({self.removed / self.had:.0%}) and the rows they hold")


def plain_file_names(folder: Path) -> set[str]:
    """Names of what the landing zone would read in a source folder (cheap: no hashing)."""
    if folder.is_symlink() or not folder.is_dir():
        return set()
    names = set()
    with os.scandir(folder) as entries:
        for e in entries:
            try:
                if stat.S_ISREG(e.stat(follow_symlinks=False).st_mode) and not has_temporary_name(e.name):
                    names.add(e.name)
            except FileNotFoundError:
                continue
    return names


def _published_counts(marts_dir: Path) -> dict[str, int]:
    """Files per source in the published run (what the Board sees now)."""
    try:
        manifest = json.loads((marts_dir / "current" / "manifest.json").read_text(encoding="utf-8"))
        return {s: int(v.get("files_seen", 0)) for s, v in manifest.get("sources", {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def would_remove(con: duckdb.DuckDBPyConnection, raw_dir: Path, marts_dir: Path, sources: list[str],
                 warehouse_is_new: bool) -> list[Removal]:
    """Sources whose files would be removed beyond what a run may do on its own."""
    known: dict[str, set[str]] = {}
    if not warehouse_is_new:
        for source, name in con.execute("SELECT source, file_name FROM ingest_files").fetchall():
            known.setdefault(source, set()).add(name)
    # A warehouse that holds no file (rebuilt, or a state folder started afresh) is
    # compared with what the Board sees now: the published manifest's counts.
    published = _published_counts(marts_dir) if warehouse_is_new or not known else {}
    out = []
    for source in sources:
        folder = raw_dir / source
        present = plain_file_names(folder)
        if source in known:
            had, still = len(known[source]), len(known[source] & present)
        else:
            had = published.get(source, 0)
            still = min(had, len(present))
        if had == 0:
            continue
        removed = had - still
        if still == 0 or (removed >= 2 and removed / had > MAX_REMOVED_SHARE):
            out.append(Removal(source, had, still, folder_missing=not folder.is_dir() or folder.is_symlink()))
    return out
