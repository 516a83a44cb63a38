"""Small helpers the tests share: write extracts, run the pipeline, read marts."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.cli import main as cli_main

HEADERS = {
    "calls": ["call_id", "queue", "caller_hash", "offered_at", "answered_at", "ended_at", "outcome",
              "first_contact_resolved"],
    "contacts": ["contact_id", "channel", "service", "customer_hash", "started_at", "completed", "assisted", "site",
                 "age_band"],
    "channel_costs": ["month", "channel", "cost_gbp"],
    "complaints": ["case_ref", "stage", "received_on", "responded_on", "directorate", "service", "category",
                   "outcome", "remedy_gbp", "ward_code"],
    "survey_responses": ["response_id", "survey", "wave", "responded_on", "ward_code", "age_band", "gender",
                         "ethnicity", "disability", "channel", "service", "weight"],
    "staff_training": ["employee_hash", "directorate", "course", "completed_on"],
    "workforce": ["month", "directorate", "headcount"],
    "action_plan": ["action_id", "outcome", "title", "owner_role", "due_on", "status", "reported_on"],
}

HASH_A = "a" * 32
HASH_B = "b" * 32
HASH_C = "c" * 32


def write_extract(raw: Path, source: str, name: str, rows: list[list], header: list[str] | None = None,
                  encoding: str = "utf-8", newline: str = "\n") -> Path:
    folder = raw / source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, lineterminator=newline)
        w.writerow(header or HEADERS[source])
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    return path


def run_pipeline(raw: Path, marts: Path, state: Path, *extra: str) -> int:
    return cli_main(["run", "--raw-dir", str(raw), "--marts-dir", str(marts), "--state-dir", str(state),
                     "--quiet", *extra])


def mart(marts: Path, name: str, where: str = "", params: list | None = None) -> pd.DataFrame:
    sql = f"SELECT * FROM read_parquet('{marts / 'current' / (name + '.parquet')}')"
    if where:
        sql += f" WHERE {where}"
    return duckdb.connect().execute(sql, params or []).df()


def kpi(marts: Path, kpi_id: str, period: str, breakdown: str = "") -> pd.Series | None:
    df = mart(marts, "kpi_values", "kpi_id = ? AND period = ? AND breakdown = ?", [kpi_id, period, breakdown])
    return None if df.empty else df.iloc[0]


# Marts that log runs rather than describe data: they differ between two runs by design.
RUN_LOG_MARTS = {"dq_runs", "dq_check_runs", "dq_suite_errors", "dq_source_runs"}
RUN_TIME_COLUMNS = {"processed_at", "last_processed_at", "last_delivered_at", "run_started_at"}


def published_marts(marts: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in sorted((marts / "current").glob("*.parquet")):
        if path.stem in RUN_LOG_MARTS:
            continue
        df = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").df()
        out[path.stem] = df.drop(columns=[c for c in df.columns if c in RUN_TIME_COLUMNS])
    return out


def assert_same_marts(a: Path, b: Path) -> None:
    """Two published runs hold the same data (floating sums compared to 1e-9)."""
    left, right = published_marts(a), published_marts(b)
    assert sorted(left) == sorted(right)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=False, rtol=1e-9, obj=name)


def figure_as_shown(marts: Path, kpi_id: str, period: str, breakdown: str = "") -> str:
    """A published figure as the dashboard prints it: the catalogue's status rule (enough
    places to show its side of the target), or 'data problem' outside its valid range."""
    from dashboard import status

    info = mart(marts, "dim_kpi", "kpi_id = ?", [kpi_id]).iloc[0].to_dict()
    row = mart(marts, "fct_kpi_timeline", "kpi_id = ? AND period = ? AND breakdown = ?",
               [kpi_id, period, breakdown]).iloc[0].to_dict()
    return status.shown_value(status.with_kpi(info, row))
