"""One pipeline run at a time, per state directory.

An advisory `flock` on STATE/pipeline.lock: the kernel releases it when the
process ends, however it ends (SIGKILL included), so a crashed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path


class RunInProgress(RuntimeError):
    pass


class PipelineLock:
    def __init__(self, state_dir: Path):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "pipeline.lock"
        self._fd: int | None = None

    def __enter__(self) -> PipelineLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise RunInProgress(
                f"A pipeline run is already in progress ({holder}). This run has stopped without "
                "changing anything; try again when that run has finished.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
