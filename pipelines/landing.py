"""Find the extracts waiting in the landing zone, in the order they must be applied."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

# Names a delivery uses while it is still being written, or that are not data:
# skipped until they are renamed to their final name.
IGNORED_PREFIXES = (".", "~")
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".lock")


@dataclass(frozen=True)
class RawFile:
    source: str
    path: Path
    sha256: str
    size_bytes: int
    delivered_at: float  # modification time: when the delivery landed
    mtime_ns: int = 0

    @property
    def name(self) -> str:
        return self.path.name


def is_delivery(path: Path) -> bool:
    name = path.name
    return path.is_file() and not name.startswith(IGNORED_PREFIXES) and not name.lower().endswith(IGNORED_SUFFIXES)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# file name -> (size in bytes, modification time in ns, sha256) from an earlier run
StatCache = dict[str, tuple[int, int, str]]


def discover(raw_dir: Path, source: str, known: StatCache | None = None) -> tuple[list[RawFile], list[str]]:
    """Deliveries of one source in lexicographic order of file name (contract s1),
    and the names skipped as temporary or still being written (reported, not read).

    Hashing five years of extracts takes seconds every night, so a file whose size
    and modification time (to the nanosecond) are what an earlier run hashed keeps
    that hash, as `git status` and `make` trust them; a --full-refresh hashes all."""
    folder = raw_dir / source
    if not folder.is_dir():
        return [], []
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    files = []
    for p in entries:
        if not is_delivery(p):
            continue
        st = p.stat()
        seen = (known or {}).get(p.name)
        sha = seen[2] if seen and seen[:2] == (st.st_size, st.st_mtime_ns) else sha256_of(p)
        files.append(RawFile(source, p, sha, st.st_size, st.st_mtime, st.st_mtime_ns))
    skipped = [p.name for p in entries if p.is_file() and not is_delivery(p)]
    return files, skipped
