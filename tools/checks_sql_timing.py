"""Time one source's row checks both ways: Great Expectations on pandas (today's
ingest: the typed rows pulled into a DataFrame, then `validation.run_checks`)
against SQL in DuckDB (`checks_sql.run_checks_sql`), on one file group.

    python -m tools.checks_sql_timing --raw-dir RAW --source calls [--files 365] [--repeat 2]

Both ways produce the Data Docs results, as the ingest asks for them. Landing
and typing are done once, before either is timed, and are not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import duckdb
import numpy as np

from pipelines.checks_sql import SqlCheckStats, run_checks_sql
from pipelines.contract import SOURCE_NAMES, load_sources
from pipelines.ingest import RUN_STARTED_AT
from pipelines.landing import discover
from pipelines.readers import create_staging_tables, land_files
from pipelines.reference import Reference
from pipelines.settings import DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS
from pipelines.typing_sql import TYPED_TABLE, build_typed_table_sql
from pipelines.validation import load_suite, run_checks

ROWS = "timing_rows"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--raw-dir", type=Path, required=True)
    p.add_argument("--source", choices=SOURCE_NAMES, default="calls")
    p.add_argument("--files", type=int, default=0, help="only the first N files (default: all)")
    p.add_argument("--repeat", type=int, default=2, help="time each way this many times, keep the best")
    args = p.parse_args(argv)

    source = load_sources()[args.source]
    suite = load_suite(args.source)
    checks = suite.checks_for("rows")
    parameters = {**Reference().suite_parameters, RUN_STARTED_AT: "2026-12-02 10:00:00"}
    files, _ = discover(args.raw_dir, args.source)  # as the ingest lists them
    files = files[: args.files] if args.files else files
    con = duckdb.connect()
    con.execute(f"SET threads = {DUCKDB_THREADS}; SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    create_staging_tables(con, source)
    landed, _, _ = land_files(con, source, files, set(parameters.get("question_ids", [])))
    con.execute(build_typed_table_sql(source, [n for n, lf in landed.items() if lf.has_control_bytes]))
    con.execute(f"CREATE TEMP TABLE {ROWS} AS SELECT * EXCLUDE (_errors, _key) FROM {TYPED_TABLE} "
                "WHERE len(_errors) = 0")
    rows = con.execute(f"SELECT count(*) FROM {ROWS}").fetchall()[0][0]

    def gx_way():
        frame = con.execute(f"SELECT * FROM {ROWS}").df()
        frame.index = frame["_rid"].to_numpy()
        return run_checks(checks, frame, parameters, sensitive_columns=source.pseudonymised_columns,
                          suite_name=args.source, docs=[])

    def sql_way():
        stats = SqlCheckStats()
        out = run_checks_sql(con, checks, ROWS, parameters, sensitive_columns=source.pseudonymised_columns,
                             suite_name=args.source, docs=[], stats=stats)
        return out, stats

    # Wall time, and CPU time of the process (all threads): on a shared machine
    # the CPU seconds say more about the work than the wall clock does.
    timings = {"gx": [], "sql": []}
    cpu = {"gx": [], "sql": []}
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        gx = gx_way()
        timings["gx"].append(time.perf_counter() - started)
        cpu["gx"].append(time.process_time() - cpu_started)
        started, cpu_started = time.perf_counter(), time.process_time()
        sql, stats = sql_way()
        timings["sql"].append(time.perf_counter() - started)
        cpu["sql"].append(time.process_time() - cpu_started)
    agree = all((g.error is None) == (s.error is None) and g.success == s.success
                and g.unexpected_count == s.unexpected_count
                and np.array_equal(np.sort(g.failing_rids if g.failing_rids is not None else []),
                                   np.sort(s.failing_rids if s.failing_rids is not None else []))
                for g, s in zip(gx, sql, strict=True))
    report = {
        "source": args.source, "files": len(files), "rows": rows, "checks": len(checks),
        "gx_on_pandas_s": round(min(timings["gx"]), 2), "sql_s": round(min(timings["sql"]), 2),
        "speed_up": round(min(timings["gx"]) / min(timings["sql"]), 1),
        "gx_on_pandas_cpu_s": round(min(cpu["gx"]), 2), "sql_cpu_s": round(min(cpu["sql"]), 2),
        "cpu_ratio": round(min(cpu["gx"]) / min(cpu["sql"]), 1),
        "failing_rows": int(sum(len(s.failing_rids) for s in sql if s.failing_rids is not None)),
        "handed_to_gx": stats.handed_to_gx, "same_answers": agree,
        "load_average_1min": round(os.getloadavg()[0], 1), "all_timings_s": timings,
    }
    print(json.dumps(report, indent=2))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
