"""`make bench`: the pipeline and dashboard at borough scale, on this machine.

    python -m tools.bench [--cache DIR] [--out build/bench.json] [--profile] [--no-load]
                              [--load-seconds 120] [--sessions 20]

1. Generates once, and keeps outside the repository (default
   ~/.cache/cx-dashboard/bench/), five years of demo extracts at the council's
   scale: 3 million calls a year and every other channel to match (demo-data
   --scale 8.7, about 32 million CSV rows plus the spreadsheets).
2. Measures, in one run on the same machine:
   - the floor: DuckDB alone reading every raw CSV once with the pipeline's read options;
   - the first load of five years less one day (every file read and validated),
     then a --full-refresh rebuild with files and expectations unchanged:
     wall time and peak RSS of the whole process tree;
   - a nightly run with the last day's files added, and the same nightly run on
     a warehouse holding only the later half of the history (a nightly run
     should cost the same whatever the history: goal within 20%);
   - each dashboard page's server-side render time (Streamlit's AppTest, a first
     view on a cold cache and a second on a warm one) and the marts' size on disk;
   - 20 concurrent headless Chromium sessions opening every page for two minutes
     (p95 page load, errors, the server's memory trend).
3. Prints a table and writes it as JSON (default build/bench.json), with the
   machine (cores, memory) and the load average during each step: on a shared
   machine other work inflates wall times, and the load average says by how much.

With --profile the first load runs under py-spy (sampling 20 times a second
without pausing the process, idle waits included so the profile is wall time);
the folded stacks and a summary of where the time goes are kept beside the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil

from pipelines.settings import REPO_ROOT
from tools import pyspy
from tools.procmon import measure

DEFAULT_CACHE = Path(os.environ.get("CX_BENCH_CACHE", Path.home() / ".cache" / "cx-dashboard" / "bench"))
# 3 million calls a year: the demo at scale 1 has ~350k calls a year over these five years
# (calls fall as channel shift goes on), so 8.7x gives ~15 million calls, ~35 million rows in all.
DEMO = {"scale": "8.7", "start": "2021-11", "end": "2026-10", "seed": "42"}

# Issue 13's goals, each against the same machine's floor where it is a multiple.
GOALS = {
    "first_load_x_floor": 5,      # every file read, typed and checked within 5x DuckDB's own read
    "full_refresh_x_floor": 3,    # files and expectations unchanged: within 3x the floor
    "peak_rss_mb": 2048,          # at most 2 GB, process tree
    "nightly_s": 10,
    "validate_s": 20,             # an analyst's `validate --source calls` after editing the suite
    "nightly_half_ratio": 1.2,    # the full history's nightly within 20% of the halved history's
    "page_s": 1.0,
    "marts_mb": 100,
}


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


# ---------------------------------------------------------------- extracts
def extracts_dir(cache: Path) -> Path:
    return cache / f"extracts-scale{DEMO['scale']}-{DEMO['start']}-{DEMO['end']}-seed{DEMO['seed']}"


def ensure_extracts(cache: Path) -> tuple[Path, float | None]:
    """The cached extracts, generated on first use (written aside, then renamed)."""
    target = extracts_dir(cache)
    if (target / ".complete").exists():
        return target, None
    tmp = cache / ".extracts-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    log(f"Generating borough-scale extracts once into {target} (about a minute, ~3 GB)")
    started = time.perf_counter()
    code = os.spawnv(os.P_WAIT, sys.executable, [
        sys.executable, "-m", "pipelines", "demo-data", "--raw-dir", str(tmp), "--scale", DEMO["scale"],
        "--start", DEMO["start"], "--end", DEMO["end"], "--seed", DEMO["seed"]])
    if code != 0:
        raise SystemExit(f"demo-data failed ({code})")
    (tmp / ".complete").write_text(json.dumps(DEMO))
    shutil.rmtree(target, ignore_errors=True)
    os.rename(tmp, target)
    return target, time.perf_counter() - started


DAY_RE = re.compile(r"(\d{8})")


def last_day(extracts: Path) -> str:
    days = [m[1] for p in (extracts / "calls").iterdir() if (m := DAY_RE.search(p.name))]
    return max(days)


MONTH_RE = re.compile(r"(\d{4})-?(\d{2})")


def half_way(extracts: Path) -> str:
    """The month (YYYYMM) half way through the calls' days: the halved history starts there."""
    days = sorted(m[1] for p in (extracts / "calls").iterdir() if (m := DAY_RE.search(p.name)))
    first, last = (dt.date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in (days[0], days[-1]))
    middle = first + (last - first) / 2
    return f"{middle:%Y%m}"


def link_tree(extracts: Path, raw: Path, exclude_day: str | None, since_month: str | None = None) -> list[Path]:
    """A landing zone of symbolic links to the cached extracts, leaving out one
    day's files (the nightly delivery), and with since_month (YYYYMM) every file
    dated before it; returns the files left out for the night."""
    shutil.rmtree(raw, ignore_errors=True)
    held_back = []
    for src in sorted(extracts.glob("*/*")):
        if not src.is_file():
            continue
        if since_month and (m := MONTH_RE.search(src.name)) and m[1] + m[2] < since_month:
            continue
        if exclude_day and exclude_day in src.name:
            held_back.append(src)
            continue
        (raw / src.parent.name).mkdir(parents=True, exist_ok=True)
        place(src, raw / src.parent.name / src.name)
    return held_back


def place(src: Path, dest: Path) -> None:
    """Put one cached extract in a landing zone without copying 3 GB: a hard link
    (the pipeline never follows a symbolic link in the landing zone, by design),
    or a copy where the cache is on another file system."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def raw_stats(extracts: Path) -> dict:
    files = [p for p in extracts.glob("*/*") if p.is_file()]
    rows = {}
    summary = extracts / "_demo_faults.json"
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files), "rows": rows,
            "faults_listed": summary.exists()}


# ---------------------------------------------------------------- floor
FLOOR_SCRIPT = r"""
import sys, time
from pathlib import Path
import duckdb
from pipelines.readers import _read_csv_header, sniff_format, sql_str
raw = Path(sys.argv[1])
con = duckdb.connect()
con.execute("SET threads = 2; SET memory_limit = '2GB'")
rows = 0
for folder in sorted(p for p in raw.iterdir() if p.is_dir()):
    groups, header = [], None
    for f in sorted(folder.iterdir()):
        if sniff_format(f) != "csv" or f.stat().st_size == 0:
            continue
        try:
            h = _read_csv_header(f)
        except Exception:
            continue
        if h != header:
            groups.append([])
            header = h
        groups[-1].append((f, len(h)))
    for g in groups:
        n = g[0][1]
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
        counts = ", ".join(f"count(c{i})" for i in range(n))
        paths = "[" + ", ".join(sql_str(str(f)) for f, _ in g) + "]"
        rows += con.execute(f'''
            SELECT count(*), {counts} FROM read_csv({paths}, header = true, auto_detect = false,
                delim = ',', quote = '"', escape = '"', columns = {columns},
                store_rejects = true, strict_mode = true, encoding = 'utf-8', max_line_size = 10000000)
        ''').fetchone()[0]
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
print(rows)
"""


# ---------------------------------------------------------------- pages
def page_render_times(marts: Path) -> dict[str, dict]:
    """Seconds to run each page's script server-side (Streamlit's AppTest, in this
    process): once on a cold data cache, then again on the warm one. The first
    run of the app (imports, navigation) is timed apart so it is not charged to a page."""
    os.environ["CX_MARTS_DIR"] = str(marts)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.browser.app_pages import app_pages

    app = REPO_ROOT / "dashboard" / "app.py"
    times: dict[str, dict] = {}
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")  # name the error, not "redacted"
    at = AppTest.from_file(str(app), default_timeout=300)
    started = time.perf_counter()
    at.run()
    times["(app start: imports, connection, default page)"] = {"cold_s": round(time.perf_counter() - started, 3)}
    for page in app_pages(app):  # whatever app.py registers, new pages included
        st.cache_data.clear()  # cold: every mart read again (the DuckDB connection is kept)
        row: dict = {}
        for key in ("cold_s", "warm_s"):
            at.switch_page(f"pages/{page.file}")
            started = time.perf_counter()
            at.run()
            row[key] = round(time.perf_counter() - started, 3)
            if at.exception:
                row["error"] = at.exception[0].message[:300]
                log(f"  page {page.file} raised: {row['error']}")
                break
        times[page.file] = row
    return times


def marts_size(marts: Path) -> dict:
    current = (marts / "current").resolve()
    parquet = sum(p.stat().st_size for p in current.glob("*.parquet"))
    docs = sum(p.stat().st_size for p in (current / "data_docs").rglob("*") if p.is_file())
    return {"parquet_bytes": parquet, "data_docs_bytes": docs, "files": len(list(current.glob("*.parquet")))}


# ---------------------------------------------------------------- the run
def pipeline(raw: Path, marts: Path, state: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipelines", "run", "--raw-dir", str(raw), "--marts-dir", str(marts),
            "--state-dir", str(state), *extra]


class LoadAverage:
    """The 1-minute load average sampled every few seconds while a step runs:
    on a shared machine it says how much other work competed for the cores."""

    def __init__(self, interval: float = 5.0):
        self.interval, self.samples = interval, [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadAverage:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict:
        return {"load_avg_mean": round(sum(self.samples) / len(self.samples), 2),
                "load_avg_max": round(max(self.samples), 2)}


def run_step(name: str, command: list[str], logs: Path, profile: bool = False,
             exit_codes: tuple[int, ...] = (0,)) -> dict:
    log(f"{name} ...")
    folded = logs / f"{name}.pyspy.txt"
    if profile:
        command = pyspy.wrap(command, folded)
    with LoadAverage() as load:
        m = measure(command, log=logs / f"{name}.log", cwd=REPO_ROOT)
    result = {"seconds": round(m.seconds, 2), "peak_rss_mb": round(m.peak_rss_mb, 1), "log": str(m.log),
              **load.figures()}
    log(f"{name}: {m.seconds:.1f} s, peak {m.peak_rss_mb:,.0f} MB, exit {m.returncode}, "
        f"load average {result['load_avg_mean']:.1f}")
    if m.returncode not in exit_codes:
        raise SystemExit(f"{name} failed: see {m.log}")
    result["exit"] = m.returncode
    if profile:
        summary = pyspy.summarise(folded)
        (logs / f"{name}.profile.txt").write_text(pyspy.format_summary(summary) + "\n")
        result["profile"] = {**summary, "folded": str(folded)}
        log(f"{name} profile:\n{pyspy.format_summary(summary)}")
    return result


def machine() -> dict:
    return {"cpus": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


def manifest(marts: Path) -> dict:
    return json.loads((marts / "current" / "manifest.json").read_text())


STEPS = ("floor", "first_load", "full_refresh", "nightly", "validate_calls", "half_first_load", "nightly_half",
         "pages", "load")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the extracts and runs are kept")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "bench.json", help="JSON results")
    p.add_argument("--profile", action="store_true", help="run the first load under py-spy and say where the time goes")
    p.add_argument("--no-load", action="store_true", help="skip the 20-browser load test")
    p.add_argument("--resume", action="store_true",
                   help="keep the steps already in --out and the warehouse they built; measure the rest")
    p.add_argument("--load-seconds", type=int, default=120, help="length of the load test (default 120)")
    p.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions (default 20)")
    args = p.parse_args(argv)

    extracts, gen_seconds = ensure_extracts(args.cache)
    work = args.cache / "work"
    raw, marts, state, logs = work / "raw", work / "marts", work / "state", work / "logs"
    results: dict = {}
    if args.resume and args.out.exists():
        results = json.loads(args.out.read_text())
        log(f"resuming: {', '.join(k for k in STEPS if k in results) or 'nothing'} already measured")
    else:
        for d in (marts, state, logs):
            shutil.rmtree(d, ignore_errors=True)
    logs.mkdir(parents=True, exist_ok=True)

    def save() -> None:  # after every step, so a late failure keeps what was measured
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")

    day = last_day(extracts)
    held_back = link_tree(extracts, raw, exclude_day=None if "nightly" in results else day)
    stats = raw_stats(extracts)
    log(f"{stats['files']:,} files, {stats['bytes'] / 2**30:.2f} GiB; nightly day held back: {day} "
        f"({len(held_back)} files)")
    results.setdefault("machine", machine())
    results.setdefault("when", dt.datetime.now().isoformat(timespec="seconds"))
    results.update({"demo": DEMO, "goals": GOALS,
                    "extracts": {**stats, "generated_seconds": gen_seconds, "path": str(extracts)}})

    if "floor" not in results:
        # the same files the first load and the full refresh read (the nightly day held back)
        floor_script = logs / "floor.py"
        floor_script.write_text(FLOOR_SCRIPT)
        results["floor"] = run_step("floor", [sys.executable, str(floor_script), str(raw)], logs)
        results["floor"]["rows"] = int((logs / "floor.log").read_text().split()[-1])
        save()
    if "first_load" not in results:
        results["first_load"] = run_step("first_load", pipeline(raw, marts, state), logs, profile=args.profile)
        results["first_load"]["totals"] = manifest(marts)["totals"]
        results["first_load"]["sources"] = manifest(marts)["sources"]
        save()
    if "full_refresh" not in results:
        results["full_refresh"] = run_step("full_refresh", pipeline(raw, marts, state, "--full-refresh"), logs)
        results["full_refresh"]["sources"] = manifest(marts)["sources"]
        save()
    if "nightly" not in results:
        for src in held_back:
            place(src, raw / src.parent.name / src.name)
        results["nightly"] = run_step("nightly", pipeline(raw, marts, state), logs)
        results["nightly"]["files_new"] = manifest(marts)["totals"]["files_new"]
        results["nightly"]["model_seconds"] = sum(manifest(marts)["model_seconds"].values())
        results["nightly"]["model_refresh"] = manifest(marts)["model_refresh"]
        save()
    if "validate_calls" not in results:
        # What an analyst waits for after editing expectations/calls.json: validate
        # never uses the warehouse or its cache, so every calls file is checked
        # afresh whichever check changed. Exit 1 (the planted faults fail) is its answer.
        results["validate_calls"] = run_step(
            "validate_calls", [sys.executable, "-m", "pipelines", "validate", "--raw-dir", str(raw), "--source", "calls"],
            logs, exit_codes=(0, 1))
        save()
    if "nightly_half" not in results:
        # the same night on a warehouse that holds only the later half of the history
        half = work / "half"
        since = half_way(extracts)
        h_raw, h_marts, h_state = half / "raw", half / "marts", half / "state"
        for d in (h_marts, h_state):
            shutil.rmtree(d, ignore_errors=True)
        h_held = link_tree(extracts, h_raw, exclude_day=day, since_month=since)
        results["half_first_load"] = run_step("half_first_load", pipeline(h_raw, h_marts, h_state), logs)
        results["half_first_load"]["since_month"] = since
        save()
        for src in h_held:
            place(src, h_raw / src.parent.name / src.name)
        results["nightly_half"] = run_step("nightly_half", pipeline(h_raw, h_marts, h_state), logs)
        results["nightly_half"]["files_new"] = manifest(h_marts)["totals"]["files_new"]
        results["nightly_half"]["model_seconds"] = sum(manifest(h_marts)["model_seconds"].values())
        results["nightly_half"]["since_month"] = since
        save()
    results["marts"] = marts_size(marts)

    if "pages" not in results:
        log("page render times (AppTest, server-side) ...")
        with LoadAverage() as load:
            results["pages"] = page_render_times(marts)
        results["pages_load_avg"] = load.figures()
        save()

    if not args.no_load and "load" not in results:
        from tests.browser.load import load_test

        log(f"load test: {args.sessions} browser sessions for {args.load_seconds} s ...")
        with LoadAverage() as load:
            results["load"] = {**load_test(marts, sessions=args.sessions, seconds=args.load_seconds),
                               **load.figures()}
        save()
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    save()
    print()
    print(table(results))
    print(f"\nJSON: {args.out}")
    return 0


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _load(step: dict | None) -> str:
    return f"{step['load_avg_mean']:.1f}" if step and "load_avg_mean" in step else ""


def table(r: dict) -> str:
    """The figures against the goals, as a Markdown table (also pasted into the README)."""
    floor = r["floor"]["seconds"]
    rows = [("measure", "figure", "goal", "", "load avg")]
    rows.append(("extracts", f"{r['floor']['rows']:,} CSV rows, {r['extracts']['files']:,} files, "
                 f"{r['extracts']['bytes'] / 2**30:.2f} GiB", "", "", ""))
    rows.append(("floor: DuckDB reads every file once", f"{floor:.1f} s, {r['floor']['peak_rss_mb']:,.0f} MB",
                 "", "", _load(r["floor"])))
    fl, fr, ni = r["first_load"], r["full_refresh"], r["nightly"]
    mem_goal = f"<= {GOALS['peak_rss_mb']} MB"
    rows.append(("first load (every file validated)", f"{fl['seconds']:.1f} s = {fl['seconds'] / floor:.1f}x floor",
                 f"<= {GOALS['first_load_x_floor']}x floor",
                 _mark(fl["seconds"] <= GOALS["first_load_x_floor"] * floor), _load(fl)))
    rows.append(("  peak RSS, process tree", f"{fl['peak_rss_mb']:,.0f} MB", mem_goal,
                 _mark(fl["peak_rss_mb"] <= GOALS["peak_rss_mb"]), ""))
    rows.append(("full refresh (unchanged files)", f"{fr['seconds']:.1f} s = {fr['seconds'] / floor:.1f}x floor",
                 f"<= {GOALS['full_refresh_x_floor']}x floor",
                 _mark(fr["seconds"] <= GOALS["full_refresh_x_floor"] * floor), _load(fr)))
    rows.append(("  peak RSS, process tree", f"{fr['peak_rss_mb']:,.0f} MB", mem_goal,
                 _mark(fr["peak_rss_mb"] <= GOALS["peak_rss_mb"]), ""))
    rows.append((f"nightly run ({ni['files_new']} new files)", f"{ni['seconds']:.1f} s "
                 f"(models {ni['model_seconds']:.1f} s)", f"<= {GOALS['nightly_s']} s",
                 _mark(ni["seconds"] <= GOALS["nightly_s"]), _load(ni)))
    rows.append(("  peak RSS, process tree", f"{ni['peak_rss_mb']:,.0f} MB", mem_goal,
                 _mark(ni["peak_rss_mb"] <= GOALS["peak_rss_mb"]), ""))
    if "validate_calls" in r:
        va = r["validate_calls"]
        rows.append(("validate --source calls (scratch warehouse)", f"{va['seconds']:.1f} s, {va['peak_rss_mb']:,.0f} MB",
                     f"<= {GOALS['validate_s']} s", _mark(va["seconds"] <= GOALS["validate_s"]), _load(va)))
    if "nightly_half" in r:
        nh = r["nightly_half"]
        ratio = ni["seconds"] / nh["seconds"]
        rows.append((f"  the same night, history from {nh['since_month'][:4]}-{nh['since_month'][4:]} (half)",
                     f"{nh['seconds']:.1f} s (models {nh['model_seconds']:.1f} s); full history {ratio:.2f}x",
                     "within 20%", _mark(ratio <= GOALS["nightly_half_ratio"]), _load(nh)))
    for page, t in r["pages"].items():
        if page.startswith("("):
            rows.append((f"dashboard {page}", f"{t['cold_s']:.2f} s", "", "", _load(r.get("pages_load_avg"))))
            continue
        figure = " / ".join(f"{t[k]:.2f} s" for k in ("cold_s", "warm_s") if k in t)
        ok = "error" not in t and max(t["cold_s"], t.get("warm_s", 0)) < GOALS["page_s"]
        rows.append((f"page {page} (cold / warm cache)", figure + (" ERROR" if "error" in t else ""), "< 1 s",
                     _mark(ok), ""))
    mb = r["marts"]["parquet_bytes"] / 2**20
    rows.append(("marts on disk (parquet)", f"{mb:.1f} MB ({r['marts']['data_docs_bytes'] / 2**20:.1f} MB Data Docs)",
                 "< 100 MB", _mark(mb < GOALS["marts_mb"]), ""))
    if "load" in r:
        ld = r["load"]
        rows.append((f"load: {ld['sessions']} sessions x {ld['seconds']} s",
                     f"{ld['page_loads']} loads, p50 {ld['p50_s']:.2f} s, p95 {ld['p95_s']:.2f} s, "
                     f"{ld['errors']} errors", "no errors", _mark(ld["errors"] == 0), _load(ld)))
        rows.append(("  server RSS start / end / trend", f"{ld['rss_start_mb']:.0f} / {ld['rss_end_mb']:.0f} MB, "
                     f"{ld['rss_slope_mb_per_min']:+.1f} MB/min in the second half", "stable",
                     _mark(ld["memory_stable"]), ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
