"""Measure a command as an operator's server sees it: wall time and the peak
resident memory of the whole process tree (the command and every child it
starts), sampled from the kernel while it runs."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass  # a child that ended between listing and reading
    return total


class RssSampler:
    """Sample a process tree's RSS on a thread every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - start, tree_rss(self.pid)))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> int:
        return max((rss for _, rss in self.samples), default=0)


@dataclass
class Measured:
    command: list[str]
    returncode: int
    seconds: float
    peak_rss_bytes: int
    log: Path | None = None
    samples: list[tuple[float, int]] = field(default_factory=list, repr=False)

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / 2**20


def measure(command: list[str], log: Path | None = None, cwd: Path | None = None, env: dict | None = None,
            interval: float = 0.1) -> Measured:
    """Run a command to the end, measuring wall time and peak tree RSS."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        with RssSampler(proc.pid, interval) as sampler:
            code = proc.wait()
        seconds = time.perf_counter() - started
    finally:
        if log:
            out.close()
    return Measured(command, code, seconds, sampler.peak, log, sampler.samples)
