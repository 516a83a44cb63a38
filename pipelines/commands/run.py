"""`python -m pipelines run`: process what is new under RAW and publish the marts."""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import time
import traceback
from pathlib import Path

from pipelines import held_back, models, warehouse, weighting
from pipelines.contract import load_sources
from pipelines.ingest import SourceReport, ingest_source, record_check_runs
from pipelines.lock import PipelineLock, RunInProgress
from pipelines.publish import clean_leftovers, publish, staging_area
from pipelines.reference import Reference, ReferenceError
from pipelines.removals import would_remove
from pipelines.settings import DEFAULT_MARTS_DIR, DEFAULT_RAW_DIR, DEFAULT_STATE_DIR, MAX_REMOVED_SHARE
from pipelines.validation import SuiteError, build_data_docs, load_suite

EXIT_PUBLISHED = 0
EXIT_FAILED = 1
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="process new or changed extracts and publish the marts",
        description=(
            "Process what is new or changed under RAW (one folder per source), validate it with the "
            "expectation suites in expectations/, keep the warehouse in STATE and publish the parquet "
            "marts and manifest.json to MARTS/current/ atomically. Exit 0 when published (rows may have "
            "been quarantined), 1 when nothing could be published (MARTS/current/ is left as it was), "
            "75 when another run holds the lock. A run that would remove all of a source's files, or "
            f"more than {MAX_REMOVED_SHARE:.0%} of them, stops with 1 before publishing unless "
            "--allow-removals is given."),
    )
    add_dir_arguments(p)
    p.add_argument("--full-refresh", action="store_true",
                   help="forget what was processed and rebuild everything from every file under RAW")
    p.add_argument("--quiet", action="store_true", help="print only the summary line and errors")
    p.add_argument("--allow-removals", action="store_true",
                   help=("publish even though files have gone from RAW: all of a source's files, or more than "
                         f"{MAX_REMOVED_SHARE * 100:.0f}%% of them (without it such a run stops and keeps the current "
                         "marts: an empty or missing folder is more often a failed mount than a decision)"))


def add_dir_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR, help="landing zone (default: data/raw)")
    p.add_argument("--marts-dir", type=Path, default=DEFAULT_MARTS_DIR, help="published marts (default: data/marts)")
    p.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                   help="warehouse, lock and run state (default: data/state)")


def new_run_id(now: dt.datetime | None = None) -> str:
    """'20261202T015547.072480-1a2b3c': when the run started (sorts in time order, to the
    microsecond) and a random tag. The dot keeps the time from running into its
    microseconds: written as one run of digits, a run started at 01:55 held
    '015547072480', which reads as a phone number to anyone scanning for personal data."""
    now = now or dt.datetime.now()
    return f"{now:%Y%m%dT%H%M%S}.{now:%f}-{secrets.token_hex(3)}"


def run(args: argparse.Namespace) -> int:
    log = (lambda *a, **k: None) if args.quiet else print
    raw_dir, marts_dir, state_dir = args.raw_dir, args.marts_dir, args.state_dir
    if not raw_dir.is_dir():
        print(f"error: the landing zone {raw_dir} does not exist; nothing was published.", file=sys.stderr)
        return EXIT_FAILED
    try:
        with PipelineLock(state_dir):
            allow = getattr(args, "allow_removals", False)
            try:
                return _run_locked(raw_dir, marts_dir, state_dir, args.full_refresh, log, allow)
            except warehouse.WarehouseDamaged as e:
                # The warehouse mirrors RAW: set the broken file aside and build it again.
                kept = warehouse.set_aside(state_dir)
                print(f"warning: the warehouse {state_dir / warehouse.WAREHOUSE_FILE} is damaged ({e}); it was "
                      f"moved to {kept.name} and is rebuilt from the landing zone now (every file is read again).",
                      file=sys.stderr)
                return _run_locked(raw_dir, marts_dir, state_dir, True, log, allow,
                                   rebuilt={"reason": str(e), "moved_to": str(kept)})
    except RunInProgress as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BUSY


def _run_locked(raw_dir: Path, marts_dir: Path, state_dir: Path, full_refresh: bool, log,
                allow_removals: bool = False, rebuilt: dict | None = None) -> int:
    started = time.perf_counter()
    started_at = dt.datetime.now()
    run_id = new_run_id()
    mode = "rebuild" if rebuilt else "full_refresh" if full_refresh else "incremental"
    con = warehouse.open_checked(state_dir)
    con.execute("INSERT INTO runs (run_id, mode, started_at, status) VALUES (?, ?, ?, 'running')",
                [run_id, mode, started_at])
    log(f"Run {run_id} ({mode.replace('_', ' ')}): {raw_dir} -> {marts_dir}")
    reports: list[SourceReport] = []
    removals = would_remove(con, raw_dir, marts_dir, list(load_sources()), warehouse_is_new=rebuilt is not None)
    if removals and not allow_removals:
        return _stop_for_removals(con, run_id, started, raw_dir, marts_dir, removals)
    try:
        ref = Reference()
        ref.load_into(con)
        if full_refresh:
            warehouse.reset(con)
        for source in load_sources().values():
            report = _ingest_one(con, source, raw_dir, ref, run_id, log)
            record_check_runs(con, run_id, report)
            reports.append(report)
            log(_source_line(report))
        totals = _totals(reports)
        # The run row is written as published before the marts are built so the
        # published run history includes this run; it is corrected on failure.
        con.execute("""
            UPDATE runs SET status = 'published', files_seen = ?, files_new = ?, files_changed = ?,
                files_removed = ?, files_refused = ?, rows_loaded = ?, rows_quarantined = ?, rows_flagged = ?,
                finished_at = ?, seconds = ?
            WHERE run_id = ?""", [totals["files_seen"], totals["files_new"], totals["files_changed"],
                                  totals["files_removed"], totals["files_refused"], totals["rows_loaded"],
                                  totals["rows_quarantined"], totals["rows_flagged"], dt.datetime.now(),
                                  time.perf_counter() - started, run_id])
        # weights for survey waves delivered without them, before the models use them
        weighting.compute_survey_weights(con, ref.directory, log=log)
        timings = models.build(con, log=log)
        clean_leftovers(marts_dir)
        docs = _data_docs(staging_area(marts_dir, run_id), reports, run_id, log)
        manifest = _manifest(con, run_id, mode, started_at, reports, totals, timings)
        manifest["data_docs"] = docs
        manifest["removals_allowed"] = bool(allow_removals)
        manifest["removals"] = [r.sentence(raw_dir) for r in removals]
        manifest["warehouse_rebuilt"] = rebuilt
        final = publish(con, marts_dir, run_id, manifest, log=print)
        con.execute("CHECKPOINT")
    except (ReferenceError, RuntimeError, OSError) as e:
        _fail(con, run_id, started, e)
        con.close()
        if rebuilt is None and warehouse.looks_damaged(e.__cause__ or e):
            raise warehouse.WarehouseDamaged(str(e).splitlines()[0][:300]) from e
        print(f"error: the run failed and nothing was published ({e}). "
              f"{marts_dir / 'current'} is unchanged.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as e:  # anything unforeseen: say so plainly, keep the details for the log
        _fail(con, run_id, started, e)
        con.close()
        if rebuilt is None and warehouse.looks_damaged(e):
            raise warehouse.WarehouseDamaged(str(e).splitlines()[0][:300]) from e
        traceback.print_exc()
        print(f"error: the run failed unexpectedly and nothing was published ({type(e).__name__}: {e}). "
              f"{marts_dir / 'current'} is unchanged.", file=sys.stderr)
        return EXIT_FAILED
    except BaseException as e:  # KeyboardInterrupt, SystemExit
        _fail(con, run_id, started, e)
        raise
    finally:
        con.close()
    print(f"Published {final.name} in {time.perf_counter() - started:.1f} s: "
          f"{totals['files_new'] + totals['files_changed']} file(s) processed, {totals['files_refused']} refused, "
          f"{totals['rows_loaded']:,} rows loaded. "
          + held_back.sentence(manifest["held_back"], totals["rows_quarantined"]))
    if rebuilt:
        print(f"  the warehouse was rebuilt from the landing zone (it was damaged: {rebuilt['reason']}); "
              f"the damaged file is kept as {rebuilt['moved_to']}")
    for sentence in (r.sentence(raw_dir) for r in removals):
        print(f"  removed with --allow-removals: {sentence}")
    for r in (x for rep in reports for x in rep.refused):
        print(f"  refused {r['source']}/{r['file']}: {r['reason']}")
    for rep in reports:
        for name, reason in rep.skipped_files.items():
            print(f"  skipped {rep.source}/{name}: {reason}")
    for rep in reports:
        for problem in rep.problems():
            # loud: on stderr too, where an operator's mail from cron looks
            print(f"  WARNING: checks not applied, {rep.source} data held back: {problem}")
            print(f"warning: {rep.source}: checks not applied, its data is held back: {problem}", file=sys.stderr)
    return EXIT_PUBLISHED


def _ingest_one(con, source, raw_dir: Path, ref: Reference, run_id: str, log) -> SourceReport:
    """One source's ingest; whatever goes wrong in it costs that source only.
    Each chunk of files is its own transaction, so what was committed is whole."""
    try:
        return ingest_source(con, source, raw_dir, ref, run_id, log=log)
    except Exception as e:  # noqa: BLE001 - the other sources still publish
        if warehouse.looks_damaged(e):
            raise
        try:
            con.execute("ROLLBACK")
        except Exception:
            pass  # no transaction was open
        traceback.print_exc()
        report = SourceReport(source.name)
        report.suite_error = (f"the source could not be processed this run and its new files wait "
                              f"({type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''})")
        return report


def _stop_for_removals(con, run_id: str, started: float, raw_dir: Path, marts_dir: Path, removals) -> int:
    message = "; ".join(r.sentence(raw_dir) for r in removals)
    _fail(con, run_id, started, RuntimeError(f"stopped before publishing: {message}"))
    con.close()
    print(f"error: stopped before reading anything: {message}. Nothing was published and "
          f"{marts_dir / 'current'} is unchanged (the Board keeps its figures). If the files were taken away on "
          "purpose, run again with --allow-removals.", file=sys.stderr)
    return EXIT_FAILED


def _data_docs(staging: Path, reports: list[SourceReport], run_id: str, log) -> str | None:
    """Build this run's Great Expectations Data Docs beside the marts. A failure
    here is reported but does not stop the marts being published."""
    suites = []
    for r in reports:
        try:
            suites.append(load_suite(r.source))
        except SuiteError:
            pass
    try:
        build_data_docs(staging / "data_docs", suites, [d for r in reports for d in r.docs], run_id)
    except Exception as e:  # noqa: BLE001 - GX raises many types; docs are not worth a failed run
        log(f"  Data Docs could not be built: {e}")
        return None
    return "data_docs/index.html"


def _fail(con, run_id: str, started: float, error: BaseException) -> None:
    try:
        con.execute("ROLLBACK")
    except Exception:
        pass  # no transaction was open
    try:
        con.execute("UPDATE runs SET status = 'failed', finished_at = ?, seconds = ?, message = ? WHERE run_id = ?",
                    [dt.datetime.now(), time.perf_counter() - started, str(error)[:1000], run_id])
    except Exception:
        pass  # the warehouse itself may be what failed


def _source_line(r: SourceReport) -> str:
    line = (f"  {r.source:<17} {r.files_seen:>5} files ({r.files_new} new, {r.files_changed} changed, "
            f"{r.files_removed} removed, {r.files_refused} refused)  {r.rows_loaded:>10,} rows loaded  "
            f"{r.rows_quarantined:>6,} quarantined  {r.seconds:6.1f} s")
    return line


def _totals(reports: list[SourceReport]) -> dict[str, int]:
    keys = ("files_seen", "files_new", "files_changed", "files_removed", "files_refused",
            "rows_read", "rows_loaded", "rows_quarantined", "rows_flagged")
    return {k: sum(getattr(r, k) for r in reports) for k in keys}


def _manifest(con, run_id: str, mode: str, started_at: dt.datetime, reports: list[SourceReport],
              totals: dict, timings: dict) -> dict:
    as_at = con.execute("SELECT max(latest_event) FROM marts.dq_freshness WHERE source IN ('calls', 'contacts')"
                        ).fetchone()[0]
    held = held_back.summary(con)
    # figures outside their KPI's valid range: data-quality failures, published with no status
    out_of_range = con.execute("SELECT count(*) FROM marts.dq_kpi_out_of_range").fetchone()[0]
    latest_complete = con.execute(
        "SELECT max(period) FROM marts.dim_periods WHERE is_complete").fetchone()[0]
    return {
        "run_id": run_id,
        "mode": mode,
        "started_at": started_at.isoformat(timespec="seconds"),
        "published_at": dt.datetime.now().isoformat(timespec="seconds"),
        # the same instant without doubt about the server's clock zone (the pages' "last updated")
        "published_at_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "timezone": "Europe/London",
        "data_as_at": as_at.isoformat(sep=" ", timespec="seconds") if as_at else None,
        "latest_complete_period": latest_complete,
        "totals": totals,
        # Rows held back (pipelines/held_back.py): distinct source rows, never failed checks.
        "rows_quarantined": {"this_run": totals["rows_quarantined"], "open": held["rows"]},
        "held_back": {**held, "quarantined_this_run": totals["rows_quarantined"]},
        "kpi_values_out_of_range": out_of_range,
        "files_refused": [x for r in reports for x in r.refused],
        # what kept a source's checks from being applied: its new files (or the
        # files a critical check that could not run was to guard) are held back
        "suite_errors": {r.source: "; ".join(r.problems()) for r in reports if r.problems()},
        "checks_not_run": [{"source": r.source, **c} for r in reports for c in r.checks_not_run],
        "skipped_files": {r.source: sorted(r.skipped_files) for r in reports if r.skipped_files},
        "skipped": {r.source: dict(sorted(r.skipped_files.items())) for r in reports if r.skipped_files},
        "sources": {
            r.source: {
                "files_seen": r.files_seen, "files_new": r.files_new, "files_changed": r.files_changed,
                "files_unchanged": r.files_unchanged, "files_removed": r.files_removed,
                "files_refused": r.files_refused, "rows_loaded": r.rows_loaded,
                "rows_quarantined": r.rows_quarantined, "rows_flagged": r.rows_flagged,
                "seconds": round(r.seconds, 2), "seconds_validating": round(r.seconds_validating, 2),
            } for r in reports
        },
        "model_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
