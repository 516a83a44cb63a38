"""`python -m pipelines demo-data` (= `python -m tools.demo`): write a realistic synthetic set of extracts.

Kept light: building the parser imports nothing heavy; the generators (numpy,
pyarrow) load only when the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from pipelines.settings import DEFAULT_RAW_DIR

SERIES_START = "2021-04"


def _month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}")
    return text


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _last_full_month(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pipelines demo-data",
        description=(
            "Write reproducible synthetic extracts for all eight sources into RAW/<source>/, delivered as the "
            "council's systems deliver them (daily call and contact files, monthly complaints, costs, training, "
            "headcount and action-plan reports, survey waves), calibrated to the council's published figures. "
            "A small, realistic share of faults is planted (bad rows, a file without a required column, a file "
            "leaking phone numbers, a re-delivered file, late corrections) and listed in RAW/_demo_faults.json. "
            "The same arguments always give byte-identical files."),
    )
    p.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR,
                   help="landing zone to write into (default: data/raw)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    p.add_argument("--scale", type=_positive, default=1.0,
                   help="multiply call, contact and complaint volumes (costs follow); 1 = the council's "
                        "real volumes, ~400k calls a year (default: 1.0)")
    p.add_argument("--start", type=_month, default=SERIES_START, help="first month, YYYY-MM (default: 2021-04)")
    p.add_argument("--end", type=_month, default=None,
                   help="last month, YYYY-MM (default: the last full calendar month before today)")
    p.add_argument("--no-faults", action="store_true",
                   help="clean extracts: no planted faults, bad files, re-deliveries or late corrections")
    p.add_argument("--overwrite", action="store_true",
                   help="replace extracts already in RAW (only the eight source folders and the fault list)")
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: 2 for large runs, else 1); the output does not depend on it")
    return p


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    from tools.demo.context import DemoConfig
    from tools.demo.generate import FAULTS_FILE, ExistingData, generate

    end = args.end or _last_full_month()
    if args.start > end:
        print(f"demo-data: --start {args.start} is after --end {end}", file=sys.stderr)
        return 2
    if args.seed < 0:
        print("demo-data: --seed must be 0 or more", file=sys.stderr)
        return 2
    config = DemoConfig(raw_dir=Path(args.raw_dir), seed=args.seed, scale=args.scale, start=args.start, end=end,
                        faults=not args.no_faults)
    try:
        summary = generate(config, overwrite=args.overwrite, jobs=args.jobs)
    except ExistingData as exc:
        print(f"demo-data: {exc}", file=sys.stderr)
        return 1
    print(f"Demo data {config.start}..{config.end}, seed {config.seed}, scale {config.scale:g} -> {config.raw_dir}")
    width = max(len(s) for s in summary.files)
    for source in summary.files:
        print(f"  {source:<{width}}  {summary.files[source]:>6,} files  {summary.rows[source]:>12,} rows")
    print(f"  {sum(summary.files.values()):,} files, {sum(summary.rows.values()):,} rows; "
          f"{summary.faults:,} planted faults listed in {FAULTS_FILE}; {summary.seconds:.1f} s")
    return 0
