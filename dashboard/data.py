"""The dashboard's only way to data: the published parquet marts.

One DuckDB connection is cached for the server; every read takes its own
cursor (a connection is not thread-safe across sessions). Every cached loader
takes the published run's id, so caches refresh by themselves when the nightly
run publishes, and every cache is bounded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parent.parent


def marts_dir() -> Path:
    return Path(os.environ.get("CX_MARTS_DIR", REPO_ROOT / "data" / "marts")).resolve()


@dataclass(frozen=True)
class Run:
    """One published run: its folder (resolved once per page view) and manifest."""

    run_id: str
    directory: str
    manifest_json: str

    @property
    def manifest(self) -> dict:
        return json.loads(self.manifest_json)

    def path(self, mart: str) -> str:
        return str(Path(self.directory) / f"{mart}.parquet")


def current_run() -> Run | None:
    """The run `MARTS/current` points at now, or None when nothing is published."""
    current = marts_dir() / "current"
    try:
        directory = current.resolve(strict=True)
        text = (directory / "manifest.json").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    manifest = json.loads(text)
    return Run(manifest["run_id"], str(directory), text)


@st.cache_resource(show_spinner=False)
def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET threads = 2")
    return con


@st.cache_data(max_entries=128, show_spinner=False)
def _query(run_id: str, sql: str, params: tuple = ()) -> pd.DataFrame:
    # run_id is part of the cache key: a new published run is a new entry.
    return _connection().cursor().execute(sql, list(params)).df()


def mart(run: Run, name: str, where: str = "", params: tuple = (), columns: str = "*") -> pd.DataFrame:
    """Read one mart (optionally filtered) from the run's folder."""
    sql = f"SELECT {columns} FROM read_parquet('{run.path(name)}')"
    if where:
        sql += f" WHERE {where}"
    return _query(run.run_id, sql, params)


# ---------------------------------------------------------------- catalogue
def kpi_catalogue(run: Run) -> pd.DataFrame:
    return mart(run, "dim_kpi")


def outcomes(run: Run) -> pd.DataFrame:
    return mart(run, "dim_outcomes")


def complete_periods(run: Run) -> list[str]:
    """Complete calendar months, newest first."""
    df = mart(run, "dim_periods", "is_complete")
    return sorted(df["period"].tolist(), reverse=True)


def kpi_timeline(run: Run, kpi_ids: tuple[str, ...] | None = None, breakdown: str = "") -> pd.DataFrame:
    where, params = "breakdown = ?", [breakdown]
    if kpi_ids:
        where += f" AND kpi_id IN ({', '.join('?' * len(kpi_ids))})"
        params += list(kpi_ids)
    return mart(run, "fct_kpi_timeline", where, tuple(params))


# ---------------------------------------------------------------- scorecard
@st.cache_data(max_entries=32, show_spinner=False)
def scorecard(run: Run, period: str, headline_only: bool = True) -> pd.DataFrame:
    """Each KPI as at `period` (a month): latest value, target, RAG, change
    against the previous period and the same period a year before, and the
    last 13 periods for a sparkline. Survey KPIs use their latest wave whose
    fieldwork started by the end of that month."""
    cat = kpi_catalogue(run)
    if headline_only:
        cat = cat[cat["headline"]]
    tl = kpi_timeline(run, tuple(cat["kpi_id"]))
    month = pd.Timestamp(f"{period}-01")
    rows = []
    for k in cat.itertuples():
        series = tl[(tl["kpi_id"] == k.kpi_id) & (tl["period_month"] <= month)].sort_values("period_month")
        if k.kpi_id.startswith("survey."):
            series = series[series["value"].notna() | series["suppressed"]]
        else:
            series = series[series["is_complete"] | (series["period"] == period)]
        if series.empty:
            rows.append({"kpi_id": k.kpi_id, "name": k.name, "outcome": k.outcome, "unit": k.unit,
                         "polarity": k.polarity, "period": None, "value": None, "target": None, "rag": None,
                         "previous_value": None, "previous_period": None, "year_ago_value": None,
                         "year_ago_period": None, "spark": [], "definition": k.definition,
                         "base_n": None, "ci_low": None, "ci_high": None})
            continue
        cur = series.iloc[-1]
        prev = series.iloc[-2] if len(series) > 1 else None
        year_ago = series[series["period_month"] == cur["period_month"] - pd.DateOffset(months=12)]
        year_ago = year_ago.iloc[-1] if len(year_ago) else None
        rows.append({
            "kpi_id": k.kpi_id, "name": k.name, "outcome": k.outcome, "unit": k.unit, "polarity": k.polarity,
            "period": cur["period"], "value": cur["value"], "target": cur["target"], "rag": cur["rag"],
            "previous_value": None if prev is None else prev["value"],
            "previous_period": None if prev is None else prev["period"],
            "year_ago_value": None if year_ago is None else year_ago["value"],
            "year_ago_period": None if year_ago is None else year_ago["period"],
            "spark": series["value"].tail(13).tolist(),
            "definition": k.definition,
            "base_n": cur["base_n"], "ci_low": cur["ci_low"], "ci_high": cur["ci_high"],
        })
    return pd.DataFrame(rows)


def direction(value, previous, polarity: str) -> str | None:
    """'better', 'worse' or 'same' for the KPI's polarity; None when unknown."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous) or polarity == "none":
        return None
    if abs(value - previous) < 1e-12:
        return "same"
    up = value > previous
    return "better" if up == (polarity == "higher") else "worse"


def data_quality_status(run: Run) -> dict:
    """One line for the Board: did last night's data arrive cleanly?"""
    m = run.manifest
    refused = len(m.get("files_refused", []))
    open_q = m.get("rows_quarantined", {}).get("open", 0)
    suite_errors = len(m.get("suite_errors", {}))
    if suite_errors:
        level = "red"
    elif refused or open_q:
        level = "amber"
    else:
        level = "green"
    return {"level": level, "files_refused": refused, "rows_quarantined_open": open_q,
            "suite_errors": suite_errors}


# ---------------------------------------------------------------- data quality
SOURCE_LABELS = {
    "calls": "Telephony calls", "contacts": "Other channels (CRM, web, hubs)", "channel_costs": "Channel costs",
    "complaints": "Complaints", "survey_responses": "Surveys", "staff_training": "Staff training",
    "workforce": "Workforce headcount", "action_plan": "Action plan",
}


def dq_freshness(run: Run) -> pd.DataFrame:
    return mart(run, "dq_freshness")


def dq_runs(run: Run, limit: int = 60) -> pd.DataFrame:
    return mart(run, "dq_runs").head(limit)


def dq_source_runs(run: Run) -> pd.DataFrame:
    return mart(run, "dq_source_runs")


def dq_latest_checks(run: Run) -> pd.DataFrame:
    """Each source's checks as last evaluated (the last run that had new files for it)."""
    return mart(run, "dq_check_runs", """(run_id, source) IN (
        SELECT arg_max(run_id, run_started_at), source FROM read_parquet('{path}') GROUP BY source)""".format(
        path=run.path("dq_check_runs")))


def dq_quarantine(run: Run, source: str | None = None, status: str | None = None) -> pd.DataFrame:
    where, params = [], []
    if source:
        where.append("source = ?")
        params.append(source)
    if status:
        where.append("status = ?")
        params.append(status)
    return mart(run, "dq_quarantine", " AND ".join(where), tuple(params))


def dq_refused_files(run: Run) -> pd.DataFrame:
    return mart(run, "dq_refused_files")


def dq_suite_errors(run: Run) -> pd.DataFrame:
    return mart(run, "dq_suite_errors", "run_id = ?", (run.run_id,))


def data_docs_index(run: Run) -> Path | None:
    rel = run.manifest.get("data_docs")
    path = Path(run.directory) / rel if rel else None
    return path if path and path.exists() else None


@st.cache_data(max_entries=4, show_spinner=False)
def data_docs_zip(run_id: str, directory: str) -> bytes:
    """The run's Great Expectations Data Docs as one zip (static HTML to open offline)."""
    import io
    import zipfile

    buf = io.BytesIO()
    root = Path(directory) / "data_docs"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(root.rglob("*")):
            if f.is_file():
                z.write(f, f"data_docs/{f.relative_to(root)}")
    return buf.getvalue()
