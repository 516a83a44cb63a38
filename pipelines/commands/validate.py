"""`python -m pipelines validate`: what would fail, without publishing anything.

An analyst who has edited an expectation file runs this to see which files
would be refused and which rows quarantined or flagged, then commits the file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pipelines import warehouse
from pipelines.contract import SOURCE_NAMES, load_sources
from pipelines.reference import Reference, ReferenceError
from pipelines.settings import DEFAULT_RAW_DIR
from pipelines.validate_source import validate_source
from pipelines.validation import RUN_STARTED_AT, SuiteError, check_parameters, load_suite

EXIT_CLEAN, EXIT_FAILURES, EXIT_BAD_SUITE = 0, 1, 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check extracts against the expectation suites without publishing",
        description=(
            "Validate extracts with the suites in expectations/ and print what would be refused, quarantined "
            "or flagged. Nothing is written to the warehouse or the marts. Exit 0 when nothing fails, 1 when "
            "files would be refused or rows quarantined or flagged, 2 when an expectation file is unusable."),
    )
    p.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR, help="landing zone (default: data/raw)")
    p.add_argument("--source", choices=SOURCE_NAMES, help="only this source (default: every source)")
    p.add_argument("--file", type=Path,
                   help="only this file; its source is its folder's name unless --source is given")


def run(args: argparse.Namespace) -> int:
    raw_dir: Path = args.raw_dir
    only_files = None
    sources = [args.source] if args.source else list(SOURCE_NAMES)
    if args.file:
        path = args.file if args.file.is_absolute() or args.file.exists() else raw_dir / args.file
        if not path.is_file():
            print(f"error: {args.file} is not a file", file=sys.stderr)
            return EXIT_BAD_SUITE
        source = args.source or path.parent.name
        if source not in SOURCE_NAMES:
            print(f"error: cannot tell the source of {path}: put it in a folder named after its source or "
                  f"give --source ({', '.join(SOURCE_NAMES)})", file=sys.stderr)
            return EXIT_BAD_SUITE
        sources, only_files, raw_dir = [source], {path.name}, path.parent.parent

    try:
        ref = Reference()
        parameters = ref.suite_parameters
    except ReferenceError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_SUITE
    bad_suites = []
    for source in sources:
        try:
            check_parameters(load_suite(source), set(parameters) | {RUN_STARTED_AT})
        except SuiteError as e:
            bad_suites.append(str(e))
        except Exception as e:  # noqa: BLE001 - whatever is wrong with a suite file, say it plainly
            bad_suites.append(f"{source}: the expectation suite cannot be used ({type(e).__name__}: {e})")
    for message in bad_suites:
        print(f"UNUSABLE SUITE  {message}")

    # A scratch warehouse: validation must not touch the real one (or wait for it).
    with tempfile.TemporaryDirectory(prefix="cx-validate-") as scratch:
        con = warehouse.connect(Path(scratch))
        warehouse.ensure_schema(con)
        failures = 0
        for source in sources:
            report = validate_source(con, load_sources()[source], raw_dir, ref, only_files=only_files)
            if report.suite_error:
                if report.suite_error not in bad_suites:  # found only once the data was read
                    print(f"UNUSABLE SUITE  {report.suite_error}")
                    bad_suites.append(report.suite_error)
                continue
            failures += _print_report(report, only_files)
        con.close()
    if bad_suites:
        return EXIT_BAD_SUITE
    return EXIT_FAILURES if failures else EXIT_CLEAN


def _print_report(report, only_files: set[str] | None = None) -> int:
    print(f"{report.source}: {report.files_seen} file(s), {report.rows_read:,} rows checked "
          f"in {report.seconds:.1f} s ({report.seconds_validating:.1f} s running its checks)")
    failures = 0
    for name, reason in sorted(report.skipped_files.items()):
        if only_files is None or name in only_files:
            print(f"  SKIPPED      {name}: {reason}")
    for r in report.refused:
        print(f"  REFUSED      {r['file']}: {r['reason']}")
        failures += 1
    for name, a in sorted(report.checks.items()):
        if a["error"]:
            print(f"  CHECK FAILED TO RUN  {name}: {a['error']}")
            failures += 1
        elif a["rows_failed"]:
            action = {"refuse_file": "refuses file", "quarantine_rows": "quarantines",
                      "flag": "flags"}[a["on_failure"]]
            files = ", ".join(sorted(a["files_failed"])[:3]) + (" ..." if len(a["files_failed"]) > 3 else "")
            print(f"  {a['severity'].upper():<9} {name}: {a['rows_failed']:,} row(s) {action} "
                  f"- {a['description']} [{files}]")
            failures += 1
    if not failures:
        print("  all checks pass" if report.files_seen else "  no files to check")
    return failures

