"""Find the extracts waiting in the landing zone, in the order they must be applied.

Only plain files directly in `RAW/<source>/` are deliveries. Anything else there
is listed as skipped with the reason and never opened: a symbolic link (links are
not followed, whether they point into the landing zone or out of it: a link to
/etc/passwd or to another team's folder is not a delivery, and a link to a file
beside it would read that file twice), a sub-folder, a named pipe (opening one
would hang the run), a socket or a device. A source folder that is itself a link
is not followed either. The landing zone folder given on the command line may be
a link: that is the operator's choice.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

# Names a delivery uses while it is still being written, or that are not data:
# skipped until they are renamed to their final name.
IGNORED_PREFIXES = (".", "~")
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".lock")

TEMPORARY_NAME = "a temporary name (still being written?): it is read once renamed"
SYMLINK = ("a symbolic link: links are never followed, in or out of the landing zone "
           "(put the file itself in the folder)")
SUBFOLDER = "a folder: sub-folders are not read (put deliveries directly in the source's folder)"
VANISHED = "it disappeared while the run was reading the landing zone; it is read when it is back"
CHANGED = "it changed while the run was reading it; it is read again next run"
SOURCE_FOLDER_IS_A_LINK = "the source folder is a symbolic link, which is not followed"


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


class NotADelivery(Exception):
    """The entry is not a plain file that can be read now; the message says why."""


def has_temporary_name(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or name.lower().endswith(IGNORED_SUFFIXES)


def is_delivery(path: Path) -> bool:
    return _not_a_file(path.lstat().st_mode) is None and not has_temporary_name(path.name)


def _not_a_file(mode: int) -> str | None:
    """Why an entry of this mode is not read, or None for a plain file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return SYMLINK
    if stat.S_ISDIR(mode):
        return SUBFOLDER
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file: not read"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file: not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file: not read"
    return "not a plain file: not read"


def open_plain_file(path: Path, expect: tuple[int, int] | None = None) -> int:
    """A file descriptor on `path`, which must still be the plain file the landing
    zone listed: never through a link (O_NOFOLLOW), never blocking on a pipe, and
    with the size and modification time (ns) in `expect` when given.
    Raises NotADelivery with the reason otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NotADelivery(VANISHED) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotADelivery(SYMLINK) from None
        raise NotADelivery(f"it cannot be opened ({e.strerror})") from None
    st = os.fstat(fd)
    reason = _not_a_file(st.st_mode)
    if reason is None and expect is not None and (st.st_size, st.st_mtime_ns) != expect:
        reason = CHANGED
    if reason:
        os.close(fd)
        raise NotADelivery(reason)
    return fd


def fd_path(fd: int) -> str:
    """A path naming an open file itself: a reader given it (DuckDB, calamine) reads
    exactly the file checked, under a name with no glob characters to expand."""
    return f"/proc/self/fd/{fd}" if os.path.isdir("/proc/self/fd") else f"/dev/fd/{fd}"


def sha256_of(path: Path) -> str:
    fd = open_plain_file(path)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# file name -> (size in bytes, modification time in ns, sha256) from an earlier run
StatCache = dict[str, tuple[int, int, str]]


def discover(raw_dir: Path, source: str, known: StatCache | None = None
             ) -> tuple[list[RawFile], dict[str, str]]:
    """Deliveries of one source in lexicographic order of file name (contract s1),
    and what was skipped (name -> reason): temporary names, links, folders, pipes,
    sockets, devices, files that vanished while listed. Nothing skipped is opened.

    Hashing five years of extracts takes seconds every night, so a file whose size
    and modification time (to the nanosecond) are what an earlier run hashed keeps
    that hash, as `git status` and `make` trust them; a --full-refresh hashes all."""
    folder = raw_dir / source
    if folder.is_symlink():
        return [], {f"{source}/": SOURCE_FOLDER_IS_A_LINK}
    if not folder.is_dir():
        return [], {}
    files: list[RawFile] = []
    skipped: dict[str, str] = {}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        return [], {f"{source}/": f"the source folder cannot be listed ({e.strerror})"}
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            skipped[entry.name] = VANISHED
            continue
        reason = _not_a_file(st.st_mode)
        if reason is None and has_temporary_name(entry.name):
            reason = TEMPORARY_NAME
        if reason:
            skipped[entry.name] = reason
            continue
        path = Path(entry.path)
        seen = (known or {}).get(entry.name)
        try:
            sha = seen[2] if seen and seen[:2] == (st.st_size, st.st_mtime_ns) else sha256_of(path)
            if os.lstat(path).st_mtime_ns != st.st_mtime_ns:
                raise NotADelivery(CHANGED)
        except NotADelivery as e:
            skipped[entry.name] = str(e)
            continue
        except FileNotFoundError:
            skipped[entry.name] = VANISHED
            continue
        files.append(RawFile(source, path, sha, st.st_size, st.st_mtime, st.st_mtime_ns))
    return files, skipped


def still_a_plain_file(path: Path) -> bool:
    """A file that is there but could not be read this run keeps its rows."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
