"""How many rows are held back, counted one way everywhere.

A row held back is a distinct source record (source, file, row number) still
in quarantine: the dq_held_back mart, one row per record however many checks
it failed. Failed checks are counted separately and always called that. The
run's summary line, manifest.json (`held_back`), the overview, the Data
quality page and `python -m pipelines quarantine` all give these figures.

Two other figures explain any difference in words:
- rows released: quarantined once, then delivered corrected by a later file
  (no longer held back, still listed for the record);
- files refused whole: their rows are not counted as held back (a file that
  cannot be read, lacks a column or leaks personal data is kept out entirely;
  see dq_refused_files).
"""

from __future__ import annotations

import duckdb

HELD_BACK_MART = "dq_held_back"


def summary(con: duckdb.DuckDBPyConnection, relation: str = f"marts.{HELD_BACK_MART}",
            files_relation: str = "ingest_files") -> dict:
    """The held-back figures from the built marts (or any relation of the same shape)."""
    rows, checks, released = con.execute(f"""
        SELECT count(*) FILTER (WHERE status = 'open'),
               coalesce(sum(checks_failed) FILTER (WHERE status = 'open'), 0),
               count(*) FILTER (WHERE status = 'released')
        FROM {relation}""").fetchone()
    by_source = {s: {"rows": int(n), "checks_failed": int(c)} for s, n, c in con.execute(f"""
        SELECT source, count(*), sum(checks_failed) FROM {relation} WHERE status = 'open'
        GROUP BY source ORDER BY source""").fetchall()}
    files, file_rows = con.execute(f"""
        SELECT count(*), coalesce(sum(rows_read), 0) FROM {files_relation} WHERE status = 'refused'""").fetchone()
    return {"rows": int(rows), "checks_failed": int(checks), "rows_released": int(released),
            "files_refused": int(files), "rows_in_refused_files": int(file_rows), "by_source": by_source}


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def sentence(s: dict, quarantined_this_run: int | None = None) -> str:
    """The figures in words, with every difference explained."""
    text = (f"{plural(s['rows'], 'row')} held back in quarantine (one per source record; "
            f"{plural(s['checks_failed'], 'failed check')} among them, as a row can fail several).")
    if quarantined_this_run:
        text += f" This run quarantined {plural(quarantined_this_run, 'row')} from the files it read."
    if s["rows_released"]:
        text += (f" {plural(s['rows_released'], 'row')} quarantined earlier "
                 f"{'was' if s['rows_released'] == 1 else 'were'} released when a later file delivered "
                 f"{'it' if s['rows_released'] == 1 else 'them'} corrected, and "
                 f"{'is' if s['rows_released'] == 1 else 'are'} not counted.")
    if s["files_refused"]:
        text += (f" {plural(s['files_refused'], 'file')} refused whole "
                 f"({plural(s['rows_in_refused_files'], 'row')} read from "
                 f"{'it' if s['files_refused'] == 1 else 'them'}) "
                 f"{'is' if s['files_refused'] == 1 else 'are'} not counted as rows held back.")
    return text
