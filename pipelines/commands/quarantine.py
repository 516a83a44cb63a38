"""`python -m pipelines quarantine list|export`: the rows the pipeline held back.

Reads the published `dq_quarantine` mart, so it never waits for a run and
never shows a pseudonymised id. A row leaves quarantine by itself (status
`released`) once the source system re-delivers it corrected in a later file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipelines.contract import SOURCE_NAMES
from pipelines.settings import DEFAULT_MARTS_DIR


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "quarantine",
        help="list or export quarantined rows",
        description="List or export the rows quarantined by the last published run, with file, row number, "
                    "the check that failed, its severity and the reason.")
    p.add_argument("action", choices=("list", "export"), help="list prints a table; export writes a CSV file")
    p.add_argument("--marts-dir", type=Path, default=DEFAULT_MARTS_DIR, help="published marts (default: data/marts)")
    p.add_argument("--source", choices=SOURCE_NAMES, help="only this source")
    p.add_argument("--status", choices=("open", "released", "all"), default="open",
                   help="open (default): still held back; released: corrected by a later file; all")
    p.add_argument("--check", help="only rows failing this check (its name in the suite)")
    p.add_argument("--limit", type=int, default=50, help="rows to list (default 50; export writes all)")
    p.add_argument("--out", type=Path, help="file to export to (default: quarantine.csv)")


def _query(args) -> tuple[str, list]:
    path = args.marts_dir / "current" / "dq_quarantine.parquet"
    where, params = [], []
    if args.source:
        where.append("source = ?")
        params.append(args.source)
    if args.status != "all":
        where.append("status = ?")
        params.append(args.status)
    if args.check:
        where.append("check_name = ?")
        params.append(args.check)
    sql = f"SELECT * FROM read_parquet('{path}')" + (f" WHERE {' AND '.join(where)}" if where else "")
    return sql + " ORDER BY source, file_name, row_number", params


def run(args: argparse.Namespace) -> int:
    if not (args.marts_dir / "current" / "dq_quarantine.parquet").exists():
        print(f"error: nothing published under {args.marts_dir}; run the pipeline first", file=sys.stderr)
        return 1
    sql, params = _query(args)
    con = duckdb.connect()
    if args.action == "export":
        out = args.out or Path("quarantine.csv")
        df = con.execute(sql, params).df()
        from pipelines.safe_csv import write_safe_csv

        write_safe_csv(df, out)
        print(f"{len(df):,} quarantined row(s) written to {out}")
        return 0
    total = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    summary = con.execute(f"SELECT source, check_name, status, count(*) AS n FROM ({sql}) GROUP BY ALL ORDER BY 1, 2",
                          params).fetchall()
    print(f"{total:,} quarantined row(s) ({args.status})")
    for source, check, status, n in summary:
        print(f"  {source:<17} {check:<40} {status:<9} {n:>7,}")
    rows = con.execute(f"{sql} LIMIT {int(args.limit)}", params).fetchall()
    if rows:
        print()
    for r in rows:
        source, file_name, row_number, check, severity, reason, record, status, corrected = r
        print(f"{source}/{file_name} row {row_number}: {check} ({severity}, {status}) - {reason}")
        print(f"    {record[:200]}")
    if total > len(rows):
        print(f"... {total - len(rows):,} more; use export to get them all")
    return 0
