"""Profile a command with py-spy and say where its wall time went.

`py-spy record` samples the Python stacks of a running process from outside it,
so the pipeline needs no change to be profiled. We record folded stacks ("raw"
format: one line per distinct stack, `frame;frame;... count`) with idle samples
included and threads labelled. Only the main thread is summarised: idle samples
included, its samples add up to the run's wall time (a wait on DuckDB's own worker
threads counts where it happens), while background threads would count their
waiting twice.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path

RATE = 20  # samples a second: enough for a run of minutes, negligible overhead

# "function (path/to/file.py:123)"
FRAME_RE = re.compile(r"^(?P<func>.+?) \((?P<file>[^():]+?)(?::(?P<line>\d+))?\)$")


def py_spy() -> str:
    exe = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not exe:
        raise SystemExit("py-spy is not installed: pip install -e '.[dev]' -c constraints.txt")
    return exe


def wrap(command: list[str], folded: Path) -> list[str]:
    """The command run under py-spy, writing folded stacks to `folded`."""
    return [py_spy(), "record", "--idle", "--nonblocking", "--threads", "--rate", str(RATE),
            "--format", "raw", "--output", str(folded), "--", *command]


def _frames(stack: str) -> list[tuple[str, str]]:
    """(function, file) of each frame, outermost first; process/thread labels dropped."""
    out = []
    for frame in stack.split(";"):
        m = FRAME_RE.match(frame.strip())
        if m:
            out.append((m["func"], m["file"]))
    return out


def _own(file: str) -> bool:
    """A frame in this project's pipeline code (py-spy prints paths relative to sys.path)."""
    parts = Path(file).parts
    return "pipelines" in parts and "site-packages" not in parts


def _short(func: str, file: str) -> str:
    """Our own code by module (pipelines/ingest.py:func), libraries by package and module."""
    parts = Path(file).parts
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1:]
    if _own(file):
        parts = parts[parts.index("pipelines"):]
    else:
        parts = parts[-2:]
    return f"{'/'.join(parts)}:{func}"


# Where to split the pipeline's time: the run's phases, then each source's ingest steps.
BREAKDOWNS = ("pipelines/commands/run.py:_run_locked", "pipelines/ingest.py:ingest_source",
              "pipelines/ingest.py:_ingest_chunk")


def _package(func: str, file: str) -> str:
    parts = Path(file).parts
    if _own(file):
        return "pipelines (our code, and DuckDB SQL it runs)"
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1:]
    top = parts[0] if len(parts) > 1 else "(standard library)"
    return top if not top.startswith("<") else "(standard library)"


def summarise(folded: Path, top: int = 15, breakdowns: tuple[str, ...] = BREAKDOWNS) -> dict:
    """Where the main thread's samples went: each of `breakdowns` split by the
    function of ours it called next (time in DuckDB shows under the function that
    ran the SQL, GX under run_checks), our functions inclusive of what they call,
    and the package of the innermost frame."""
    inclusive: Counter[str] = Counter()
    package: Counter[str] = Counter()
    children: dict[str, Counter[str]] = {b: Counter() for b in breakdowns}
    total = 0
    for line in folded.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        if not stack.split(";", 1)[0].endswith(": MainThread"):
            continue
        frames = _frames(stack)
        if not frames:
            continue
        total += n
        own = [_short(f, p) for f, p in frames if _own(p)]
        for name in set(own):  # a set: recursion counts once
            inclusive[name] += n
        package[_package(*frames[-1])] += n
        for b in breakdowns:
            if b in own:
                i = own.index(b)
                nxt = own[i + 1] if i + 1 < len(own) else f"{b.rsplit(':', 1)[1]} itself (SQL, libraries)"
                children[b][nxt] += n

    def rows(counter: Counter[str], of: int) -> list[dict]:
        return [{"frame": k, "samples": v, "share": round(v / of, 3)} for k, v in counter.most_common(top)]

    return {"samples": total, "seconds": round(total / RATE, 1), "rate_hz": RATE,
            "breakdowns": {b: {"samples": sum(c.values()), "share": round(sum(c.values()) / max(total, 1), 3),
                               "children": rows(c, max(sum(c.values()), 1))} for b, c in children.items()},
            "pipeline_inclusive": rows(inclusive, total), "innermost_package": rows(package, total)}


def format_summary(summary: dict) -> str:
    lines = [f"main thread: {summary['samples']:,} samples at {summary['rate_hz']} Hz "
             f"(~{summary['seconds']:.0f} s of wall time)"]
    for name, b in summary["breakdowns"].items():
        lines += ["", f"{name} ({b['share']:.0%} of the run), split by what it called:"]
        lines += [f"  {r['share']:6.1%}  {r['frame']}" for r in b["children"]]
    lines += ["", "our functions, inclusive of what they call (share of the run):"]
    lines += [f"  {r['share']:6.1%}  {r['frame']}" for r in summary["pipeline_inclusive"]]
    lines += ["", "package of the innermost frame:"]
    lines += [f"  {r['share']:6.1%}  {r['frame']}" for r in summary["innermost_package"]]
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_summary(summarise(Path(sys.argv[1]))))
