"""What one source's ingest or validation did, as the run summary, the manifest
and the Data quality page report it: file and row counts, each check's tally,
and what kept a source's checks from being applied."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipelines.validation import Check


@dataclass
class SourceReport:
    source: str
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    files_refused: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    skipped_files: dict[str, str] = field(default_factory=dict)  # name -> why it was not read
    refused: list[dict] = field(default_factory=list)
    suite_error: str | None = None
    # critical checks that could not run on the data: {check, error, files held back}
    checks_not_run: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    seconds_validating: float = 0.0
    checks: dict = field(default_factory=dict)  # check name -> aggregate for check_runs
    docs: list = field(default_factory=list)     # (source, batch label, GX result) for Data Docs
    loaded_files: list[str] = field(default_factory=list)

    @property
    def files_processed(self) -> int:
        return self.files_new + self.files_changed

    def problems(self) -> list[str]:
        """What kept this source's checks from being applied, as the operator should read it."""
        out = [self.suite_error] if self.suite_error else []
        out += [f"the critical check {c['check']!r} could not run ({c['error']}): {len(c['files'])} file(s) held "
                f"back ({', '.join(c['files'][:3])}{', ...' if len(c['files']) > 3 else ''})"
                for c in self.checks_not_run]
        return out


def check_tally(report: SourceReport, check: Check) -> dict:
    """The running totals of one check over a source's chunks (for check_runs)."""
    return report.checks.setdefault(check.name, {
        "description": check.description, "severity": check.severity,
        "on_failure": check.on_failure, "rows_checked": 0, "rows_failed": 0,
        "files_failed": set(), "error": None})


def record_check_runs(con: duckdb.DuckDBPyConnection, run_id: str, report: SourceReport) -> None:
    """Log what this run did for one source: its counts and each check's results."""
    r = report
    con.execute("INSERT INTO source_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        run_id, r.source, r.files_seen, r.files_new, r.files_changed, r.files_removed, r.files_refused,
        r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_flagged, r.seconds, r.seconds_validating])
    rows = [(run_id, report.source, name, a["description"], a["severity"], a["on_failure"],
             a["rows_checked"], a["rows_failed"], len(a["files_failed"]), a["error"])
            for name, a in report.checks.items()]
    if rows:
        con.executemany("INSERT INTO check_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for message in report.problems():
        con.execute("INSERT INTO suite_errors VALUES (?, ?, ?)", [run_id, report.source, message])
    con.execute("DELETE FROM skipped_files WHERE source = ?", [report.source])
    if report.skipped_files:
        con.executemany("INSERT INTO skipped_files VALUES (?, ?, ?, ?)",
                        [(report.source, name, reason, run_id) for name, reason in report.skipped_files.items()])
