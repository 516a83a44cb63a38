"""`python -m pipelines quarantine list|export`: the rows the pipeline held back.

Reads the published `dq_held_back` mart (one line per source row held back,
with every check it failed together; pipelines/held_back.py), so it never
waits for a run, never shows a pseudonymised id, and counts rows as the
manifest, the overview and the Data quality page do. A row leaves quarantine
by itself (status `released`) once the source system re-delivers it corrected
in a later file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipelines.contract import SOURCE_NAMES
from pipelines.held_back import HELD_BACK_MART, plural
from pipelines.settings import DEFAULT_MARTS_DIR


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "quarantine",
        help="list or export quarantined rows",
        description="List or export the rows held back in quarantine as last published: one line per source "
                    "row (file and row number), with every check it failed, the severity and the reasons.")
    p.add_argument("action", choices=("list", "export"), help="list prints a table; export writes a CSV file")
    p.add_argument("--marts-dir", type=Path, default=DEFAULT_MARTS_DIR, help="published marts (default: data/marts)")
    p.add_argument("--source", choices=SOURCE_NAMES, help="only this source")
    p.add_argument("--status", choices=("open", "released", "all"), default="open",
                   help="open (default): still held back; released: corrected by a later file; all")
    p.add_argument("--check", help="only rows failing this check (its name in the suite), among others")
    p.add_argument("--limit", type=int, default=50, help="rows to list (default 50; export writes all)")
    p.add_argument("--out", type=Path, help="file to export to (default: quarantine.csv)")


def _path(marts_dir: Path) -> Path:
    return marts_dir / "current" / f"{HELD_BACK_MART}.parquet"


def _query(args) -> tuple[str, list]:
    where, params = [], []
    if args.source:
        where.append("source = ?")
        params.append(args.source)
    if args.status != "all":
        where.append("status = ?")
        params.append(args.status)
    if args.check:
        where.append("list_contains(string_split(checks, '; '), ?)")
        params.append(args.check)
    sql = f"SELECT * FROM read_parquet('{_path(args.marts_dir)}')" + (f" WHERE {' AND '.join(where)}" if where else "")
    return sql + " ORDER BY source, file_name, row_number", params


def run(args: argparse.Namespace) -> int:
    if not _path(args.marts_dir).exists():
        print(f"error: nothing published under {args.marts_dir}; run the pipeline first", file=sys.stderr)
        return 1
    sql, params = _query(args)
    con = duckdb.connect()
    if args.action == "export":
        out = args.out or Path("quarantine.csv")
        df = con.execute(sql, params).df()
        from pipelines.safe_csv import write_safe_csv

        write_safe_csv(df, out)
        print(f"{plural(len(df), 'row')} held back ({args.status}) written to {out}, one line per source row")
        return 0
    total, checks = con.execute(f"SELECT count(*), coalesce(sum(checks_failed), 0) FROM ({sql})", params).fetchone()
    # failed checks by check: a row failing two checks counts under both
    summary = con.execute(f"""
        SELECT source, check_name, status, count(*) AS n
        FROM ({sql}), unnest(string_split(checks, '; ')) AS c(check_name)
        GROUP BY ALL ORDER BY 1, 2""", params).fetchall()
    print(f"{plural(total, 'row')} held back ({args.status}): one per source row, "
          f"{plural(int(checks), 'failed check')} among them")
    if summary:
        print("  failed checks by check (a row can fail several):")
    for source, check, status, n in summary:
        print(f"  {source:<17} {check:<40} {status:<9} {n:>7,}")
    rows = con.execute(f"{sql} LIMIT {int(args.limit)}", params).fetchall()
    if rows:
        print()
    names = [d[0] for d in con.execute(f"{sql} LIMIT 0", params).description]
    for values in rows:
        r = dict(zip(names, values, strict=True))
        print(f"{r['source']}/{r['file_name']} row {r['row_number']}: {r['checks']} "
              f"({r['severity']}, {r['status']}) - {r['reasons']}")
        print(f"    {r['record'][:200]}")
    if total > len(rows):
        print(f"... {total - len(rows):,} more; use export to get them all")
    return 0
