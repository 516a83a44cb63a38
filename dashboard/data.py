"""The dashboard's only way to data: the published parquet marts.

One DuckDB connection is cached for the server; every read takes its own
cursor (a connection is not thread-safe across sessions). Every cached loader
takes the published run's id, so caches refresh by themselves when the nightly
run publishes, and every cache is bounded.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import streamlit as st

from pipelines import held_back

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


# ---------------------------------------------------------------- which run to show
class MartUnavailable(Exception):
    """A published mart could not be read (a damaged or missing file)."""

    def __init__(self, path: str, detail: str):
        super().__init__(f"{Path(path).name} could not be read: {detail}")
        self.path = path


@dataclass(frozen=True)
class Published:
    """The run the dashboard shows, and what it could not read on the way.

    `run` is MARTS/current when it is intact; when a file of it is damaged, the
    newest intact run kept under MARTS/runs/ (`fell_back`); when none is intact,
    the newest whose manifest reads, with `damaged` naming the files that do not
    (pages that need them say so); None when nothing readable is published."""

    run: Run | None
    fell_back: bool = False
    damaged_run_id: str | None = None      # the newer run that could not be used
    damaged: tuple[str, ...] = ()           # what could not be read, in words


_DAMAGED: dict[str, str] = {}  # run folder -> what failed when a page read it (for every session)
_DAMAGED_LOCK = threading.Lock()


def mark_damaged(path: str, detail: str) -> None:
    """Remember that a file of a published run failed to read: the run is not offered again."""
    with _DAMAGED_LOCK:
        _DAMAGED.setdefault(str(Path(path).parent), f"{Path(path).name} ({detail})")


def _signature(directory: Path) -> tuple:
    return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(directory)
                        if e.is_file()))


@functools.lru_cache(maxsize=32)
def _problems(directory: str, signature: tuple) -> tuple[str | None, tuple[str, ...]]:
    """(manifest text or None, what is damaged) for one run folder: the manifest must be a
    JSON object with a run_id, and every mart it lists a parquet file whose footer reads."""
    folder = Path(directory)
    try:
        text = (folder / "manifest.json").read_text(encoding="utf-8")
        manifest = json.loads(text)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("run_id"), str):
            raise ValueError("it has no run_id")
    except (OSError, ValueError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None, (f"manifest.json ({type(e).__name__}: {e})",)
    damaged = []
    for name in manifest.get("row_counts") or {}:
        try:
            pq.read_metadata(folder / f"{name}.parquet")
        except (OSError, ValueError) as e:  # ArrowInvalid is a ValueError
            damaged.append(f"{name}.parquet ({e})")
    return text, tuple(damaged)


def _inspect(directory: Path) -> tuple[str | None, tuple[str, ...]]:
    text, damaged = _problems(str(directory), _signature(directory))
    with _DAMAGED_LOCK:
        seen = _DAMAGED.get(str(directory))
    if seen and not any(d.split(" (", 1)[0] == seen.split(" (", 1)[0] for d in damaged):
        damaged += (seen,)
    return text, damaged


def published() -> Published:
    """Which run to show now (resolved on every page view: a nightly publish is picked up)."""
    root = marts_dir()
    try:
        current = (root / "current").resolve(strict=True)
    except (FileNotFoundError, OSError):
        current = None
    runs = root / "runs"
    older = sorted((p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".") and p != current),
                   key=lambda p: p.name, reverse=True) if runs.is_dir() else []
    candidates = ([current] if current is not None else []) + older
    if not candidates:
        return Published(None)
    seen = []
    for folder in candidates:
        text, damaged = _inspect(folder)
        seen.append((folder, text, damaged))
        if text is not None and not damaged:
            run = Run(json.loads(text)["run_id"], str(folder), text)
            if folder == current:
                return Published(run)
            first = seen[0]
            return Published(run, fell_back=True, damaged_run_id=first[0].name, damaged=first[2])
    readable = [(f, t, d) for f, t, d in seen if t is not None]
    if not readable:
        return Published(None, damaged=seen[0][2], damaged_run_id=seen[0][0].name)
    folder, text, damaged = readable[0]
    return Published(Run(json.loads(text)["run_id"], str(folder), text), damaged=damaged,
                     damaged_run_id=folder.name)


def current_run() -> Run | None:
    """The run to show: MARTS/current, or the newest intact run when it is damaged (see published)."""
    return published().run


@st.cache_resource(show_spinner=False)
def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET threads = 2")
    return con


def _query(run_id: str, sql: str, params: tuple = ()) -> pd.DataFrame:
    """Every read of the marts. A file that fails to read is never offered again: the page
    starts over on the newest intact run, or, when none is kept, says plainly which data
    are unavailable (instead of Streamlit's generic error)."""
    try:
        return _cached_query(run_id, sql, params)
    except MartUnavailable as e:
        mark_damaged(e.path, str(e))
        shown = published().run
        if shown is not None and Path(shown.directory) != Path(e.path).parent:
            st.rerun()
        st.error(f"The figures on this page are unavailable: {Path(e.path).name} in the published data cannot "
                 "be read and no earlier published run is intact. The next nightly run publishes them again.",
                 icon=":material/report:")
        st.stop()


@st.cache_data(max_entries=128, show_spinner=False)
def _cached_query(run_id: str, sql: str, params: tuple = ()) -> pd.DataFrame:
    # run_id is part of the cache key: a new published run is a new entry.
    try:
        return _connection().cursor().execute(sql, list(params)).df()
    except duckdb.Error as e:
        if isinstance(e, duckdb.ProgrammingError) and not isinstance(e, duckdb.InvalidInputException):
            raise  # a mistake in our SQL (binder, catalog, parser) is not a damaged file
        # a file of the run is damaged or gone ("No magic bytes", "invalid TType", a failed
        # decompression): say which, so the page can fall back
        files = re.findall(r"'([^']+\.parquet)'", str(e)) or re.findall(r"read_parquet\('([^']+)'\)", sql)
        raise MartUnavailable(files[0] if files else run_id, str(e).splitlines()[0][:200]) from None


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
@st.cache_data(max_entries=64, show_spinner=False)
def scorecard(run: Run, period: str, headline_only: bool = True, outcome: int | None = None,
              breakdown: str = "") -> pd.DataFrame:
    """Each KPI as at `period` (a month): latest value, target, RAG, change
    against the previous period and the same period a year before, and the
    last 13 periods for a sparkline. Survey KPIs use their latest wave whose
    fieldwork started by the end of that month. A monthly KPI carries its SPC
    variation and assurance as they stood that month (fct_kpi_spc as_at_*).
    A figure outside its KPI's valid range has `out_of_range` set (a data
    problem): no status, and it is left out of the sparkline.

    With a `breakdown` (e.g. 'service=waste'), a KPI published for that
    breakdown shows it; the others show the whole council (column `breakdown`
    says which)."""
    cat = kpi_catalogue(run)
    if headline_only:
        cat = cat[cat["headline"]]
    if outcome is not None:
        cat = cat[cat["outcome"] == outcome]
    changes = survey_changes(run)
    overall = kpi_timeline(run, tuple(cat["kpi_id"]))
    split = kpi_timeline(run, tuple(cat["kpi_id"]), breakdown) if breakdown else overall.iloc[0:0]
    spc = kpi_spc(run, tuple(cat.loc[cat["cadence"] == "monthly", "kpi_id"]), tuple({"", breakdown}))
    month = pd.Timestamp(f"{period}-01")
    rows = []
    for k in cat.itertuples():
        base = {"kpi_id": k.kpi_id, "name": k.name, "outcome": k.outcome, "unit": k.unit, "polarity": k.polarity,
                "definition": k.definition, "source": k.source, "owner": k.owner, "kind": k.kind,
                "cadence": k.cadence, "headline": bool(k.headline), **{c: getattr(k, c, None) for c in KPI_RULE_COLUMNS},
                "base": getattr(k, "base", None), "breakdown_bases": getattr(k, "breakdown_bases", None)}
        tl = split if (split["kpi_id"] == k.kpi_id).any() else overall
        series = tl[(tl["kpi_id"] == k.kpi_id) & (tl["period_month"] <= month)].sort_values("period_month")
        if k.kind == "survey":
            series = series[series["value"].notna() | series["suppressed"]]
        else:
            series = series[series["is_complete"] | (series["period"] == period)]
        if series.empty:
            rows.append({**base, "breakdown": "", "period": None, "value": None, "target": None, "rag": None,
                         "out_of_range": False, "previous_value": None, "previous_period": None,
                         "previous_rag": None, "previous_target": None, "previous_out_of_range": False, "year_ago_value": None,
                         "year_ago_period": None, "spark": [], "spark_periods": [], "base_n": None,
                         "ci_low": None, "ci_high": None, "suppressed": False, **NO_CHANGE, **NO_SPC})
            continue
        cur = series.iloc[-1]
        prev = series.iloc[-2] if len(series) > 1 else None
        year_ago = series[series["period_month"] == cur["period_month"] - pd.DateOffset(months=12)]
        year_ago = year_ago.iloc[-1] if len(year_ago) else None
        spark = series.tail(13)
        rows.append({
            **base, "breakdown": cur["breakdown"],
            "period": cur["period"], "value": cur["value"], "target": cur["target"], "rag": cur["rag"],
            "out_of_range": bool(cur.get("out_of_range", False)),
            "previous_value": None if prev is None else prev["value"],
            "previous_period": None if prev is None else prev["period"],
            "previous_rag": None if prev is None else prev["rag"],
            "previous_target": None if prev is None else prev["target"],
            "previous_out_of_range": False if prev is None else bool(prev.get("out_of_range", False)),
            "year_ago_value": None if year_ago is None else year_ago["value"],
            "year_ago_period": None if year_ago is None else year_ago["period"],
            # a data problem is not a result: a gap in the sparkline
            "spark": spark["value"].where(_valid(spark)).tolist(),
            "spark_periods": spark["period"].tolist(),
            "base_n": cur["base_n"], "ci_low": cur["ci_low"], "ci_high": cur["ci_high"],
            "suppressed": bool(cur["suppressed"]),
            **_change_of(changes, k.kpi_id, k.kind, cur["period"], cur["breakdown"]),
            **(_spc_of(spc, k.kpi_id, cur["breakdown"], cur["period"]) if k.cadence == "monthly" else NO_SPC),
        })
    return pd.DataFrame(rows)


# The catalogue's rules a card needs to print a figure beside its status (dim_kpi).
KPI_RULE_COLUMNS = ("amber_band", "valid_min", "valid_max", "display_decimals", "display_max_decimals")

# A survey figure's change on the previous wave, as fct_survey_change tests it.
NO_CHANGE = {"change_words": None, "significant": None, "better_or_worse": None, "change": None,
             "change_previous_period": None, "weighting_changed": False, "weighting_note": None}


def survey_changes(run: Run, survey: str | None = None) -> pd.DataFrame:
    """Every survey figure against the previous wave (fct_survey_change): the
    change, whether it is significant, and the words a page shows."""
    return mart(run, "fct_survey_change", *(("survey = ?", (survey,)) if survey else ()))


def _change_of(changes: pd.DataFrame, kpi_id: str, kind: str, period: str, breakdown: str) -> dict:
    if kind != "survey":
        return NO_CHANGE
    c = changes[(changes["kpi_id"] == kpi_id) & (changes["period"] == period) & (changes["breakdown"] == breakdown)]
    if c.empty:
        return NO_CHANGE
    c = c.iloc[0]
    return {"change_words": c["change_words"], "significant": None if pd.isna(c["significant"]) else
            bool(c["significant"]), "better_or_worse": c["better_or_worse"], "change": c["change"],
            "change_previous_period": c["previous_period"],
            "weighting_changed": bool(c.get("weighting_changed", False)), "weighting_note": c.get("weighting_note")}


def direction(value, previous, polarity: str) -> str | None:
    """'better', 'worse' or 'same' for the KPI's polarity; None when unknown."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous) or polarity == "none":
        return None
    if abs(value - previous) < 1e-12:
        return "same"
    up = value > previous
    return "better" if up == (polarity == "higher") else "worse"


def data_quality_status(run: Run) -> dict:
    """One line for the Board: did last night's data arrive cleanly? Rows held
    back are distinct source rows (held_back_summary), as everywhere else."""
    m = run.manifest
    refused = len(m.get("files_refused", []))
    open_q = held_back_summary(run)["rows"]
    suite_errors = len(m.get("suite_errors", {}))
    # KPI figures outside their valid range: data-quality failures published with no status
    out_of_range = int(m.get("kpi_values_out_of_range", 0) or 0)
    if suite_errors:
        level = "red"
    elif refused or open_q or out_of_range:
        level = "amber"
    else:
        level = "green"
    return {"level": level, "files_refused": refused, "rows_quarantined_open": open_q,
            "suite_errors": suite_errors, "kpi_out_of_range": out_of_range}


# ---------------------------------------------------------------- data quality
SOURCE_LABELS = {
    "calls": "Telephony calls", "contacts": "Other channels (CRM, web, hubs)", "channel_costs": "Channel costs",
    "complaints": "Complaints", "survey_responses": "Surveys", "staff_training": "Staff training",
    "workforce": "Workforce headcount", "action_plan": "Action plan", "kpi_commentary": "Owners' commentary",
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


@st.cache_data(max_entries=8, show_spinner=False)
def held_back_summary(run: Run) -> dict:
    """Rows held back (distinct source rows still in quarantine), the checks they
    failed, rows released by a later correction, and files refused whole: the
    figures of pipelines/held_back.py, read from the published dq_held_back mart
    (and dq_refused_files), so the pages give what the run printed."""
    con = _connection().cursor()
    if not Path(run.path(held_back.HELD_BACK_MART)).exists():  # a run published before the mart existed
        return {"rows": run.manifest.get("rows_quarantined", {}).get("open", 0), "checks_failed": None,
                "rows_released": 0, "files_refused": 0, "rows_in_refused_files": 0, "by_source": {}}
    return held_back.summary(con, f"read_parquet('{run.path(held_back.HELD_BACK_MART)}')",
                             f"(SELECT 'refused' AS status, rows_read FROM read_parquet('{run.path('dq_refused_files')}'))")


def dq_held_back(run: Run, source: str | None = None, status: str | None = None) -> pd.DataFrame:
    """Rows held back, one per source row with every check it failed together (dq_held_back)."""
    where, params = _where([("source = ?", source), ("status = ?", status)])
    return mart(run, "dq_held_back", where, params)


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


# ---------------------------------------------------------------- labels and windows
@st.cache_data(max_entries=8, show_spinner=False)
def labels(run: Run) -> dict[str, dict[str, str]]:
    """Codes to the names people read: services, channels, wards, KPIs."""
    services = mart(run, "dim_services")
    channels = mart(run, "dim_channels")
    wards = mart(run, "dim_wards")
    cat = kpi_catalogue(run)
    return {
        "service": dict(zip(services["service_code"], services["service_name"], strict=True)),
        "channel": dict(zip(channels["channel"], channels["channel_name"], strict=True)),
        "ward_code": dict(zip(wards["ward_code"], wards["ward_name"], strict=True)),
        "kpi": dict(zip(cat["kpi_id"], cat["name"], strict=True)),
    }


def label(run: Run, dimension: str, value) -> str:
    """A breakdown value as people read it (a service's name, a ward's name...)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "Not recorded"
    return labels(run).get(dimension, {}).get(value, str(value))


def directorates(run: Run) -> list[str]:
    return sorted(mart(run, "dim_services")["directorate"].unique())


def services(run: Run, directorate: str | None = None) -> pd.DataFrame:
    df = mart(run, "dim_services")
    return df if directorate is None else df[df["directorate"] == directorate]


def channels(run: Run) -> pd.DataFrame:
    return mart(run, "dim_channels")


def wards(run: Run) -> pd.DataFrame:
    return mart(run, "dim_wards")


def window_start(period: str, months: int | None) -> str:
    """The first month of a window of `months` months ending with `period` ('0000-00' for every month)."""
    if months is None:
        return "0000-00"
    return (pd.Timestamp(f"{period}-01") - pd.DateOffset(months=months - 1)).strftime("%Y-%m")


def events(run: Run, scopes: tuple[str, ...] = ("all",)) -> pd.DataFrame:
    """Analysts' events (data/reference/events.csv) for the given scopes, to mark on trend charts."""
    df = mart(run, "dim_events")
    return df[df["scope"].isin(scopes)]


def breakdown_key(directorate: str | None = None, service: str | None = None, channel: str | None = None) -> str:
    """The kpi_values breakdown for a choice of filters: the narrowest one that is set."""
    if service:
        return f"service={service}"
    if directorate:
        return f"directorate={directorate}"
    if channel:
        return f"channel={channel}"
    return ""


# ---------------------------------------------------------------- KPI series and breakdowns
def kpi_info(run: Run, kpi_id: str) -> pd.Series:
    cat = kpi_catalogue(run)
    return cat[cat["kpi_id"] == kpi_id].iloc[0]


def transactional_kpis(run: Run) -> set[str]:
    """Survey KPIs of the monthly post-contact survey (they follow the trend window)."""
    q = mart(run, "dim_survey_questions")
    return {f"survey.{x}" for x in q.loc[q["survey"] == "transactional", "question_id"]}


def kpi_series(run: Run, kpi_id: str, period: str, months: int | None = None, breakdown: str = "") -> pd.DataFrame:
    """One KPI over time up to `period`: complete months within the window, or
    every survey wave whose fieldwork started by then (the monthly post-contact
    survey follows the window). Empty when the KPI has no such rows."""
    tl = kpi_timeline(run, (kpi_id,), breakdown)
    end = pd.Timestamp(f"{period}-01")
    s = tl[tl["period_month"] <= end]
    survey = kpi_id.startswith("survey.")
    if not survey:
        s = s[s["is_complete"] | (s["period"] == period)]
    if months is not None and (not survey or kpi_id in transactional_kpis(run)):
        s = s[s["period_month"] > end - pd.DateOffset(months=months)]
    return s.sort_values("period_month").reset_index(drop=True)


def has_breakdown(run: Run, kpi_id: str, breakdown: str) -> bool:
    if not breakdown:
        return True
    return not kpi_timeline(run, (kpi_id,), breakdown).empty


def kpi_breakdown(run: Run, kpi_id: str, dimension: str, period: str, directorate: str | None = None) -> pd.DataFrame:
    """A KPI split by one dimension (service, age_band, channel...) for `period`,
    or for a survey its latest wave by then; with a readable `label`. By service
    with a `directorate`: that directorate's services only."""
    df = mart(run, "fct_kpi_timeline", "kpi_id = ? AND breakdown_dimension = ?", (kpi_id, dimension))
    if dimension == "service" and directorate:
        df = df[df["breakdown_value"].isin(services(run, directorate)["service_code"])]
    end = pd.Timestamp(f"{period}-01")
    if kpi_id.startswith("survey."):
        df = df[df["period_month"] <= end]
        if df.empty:
            return df.assign(label=pd.Series(dtype=str))
        df = df[df["period_month"] == df["period_month"].max()]
    else:
        df = df[df["period"] == period]
    df = df.assign(label=[label(run, dimension, v) for v in df["breakdown_value"]])
    return df.sort_values("label").reset_index(drop=True)


def kpi_series_by(run: Run, kpi_id: str, dimension: str, period: str, months: int | None = None) -> pd.DataFrame:
    """A KPI over time for every value of one dimension (e.g. digital take-up by age band)."""
    df = mart(run, "fct_kpi_timeline", "kpi_id = ? AND breakdown_dimension = ?", (kpi_id, dimension))
    end = pd.Timestamp(f"{period}-01")
    df = df[df["period_month"] <= end]
    if not kpi_id.startswith("survey."):
        df = df[df["is_complete"]]
    if months is not None and (not kpi_id.startswith("survey.") or kpi_id in transactional_kpis(run)):
        df = df[df["period_month"] > end - pd.DateOffset(months=months)]
    df = df.assign(label=[label(run, dimension, v) for v in df["breakdown_value"]])
    return df.sort_values(["label", "period_month"]).reset_index(drop=True)


# ---------------------------------------------------------------- projections and strategy targets
def kpi_projection(run: Run, kpi_id: str) -> pd.DataFrame:
    """The fitted straight-line trend and its 12-month projection (fct_kpi_projection)."""
    return mart(run, "fct_kpi_projection", "kpi_id = ?", (kpi_id,))


def kpi_outlook(run: Run) -> pd.DataFrame:
    """Per monthly KPI: will the next target be met on current trend (fct_kpi_outlook)."""
    return mart(run, "fct_kpi_outlook")


def strategy(run: Run) -> pd.Series:
    return mart(run, "dim_strategy").iloc[0]


def strategy_targets(run: Run) -> pd.DataFrame:
    """Each KPI against the target in force in the strategy's last month (fct_strategy_targets)."""
    return mart(run, "fct_strategy_targets")


# ---------------------------------------------------------------- channel shift
def _where(clauses: list[tuple[str, object]]) -> tuple[str, tuple]:
    """AND together the clauses whose value is set; values go in as parameters."""
    used = [(sql, v) for sql, v in clauses if v is not None]
    return " AND ".join(sql for sql, _ in used) or "TRUE", tuple(v for _, v in used)


def contacts_by_channel(run: Run, start: str, end: str, directorate: str | None = None,
                        service: str | None = None, channel: str | None = None) -> pd.DataFrame:
    """Contacts by month and channel (online: completed), for a service or directorate."""
    where, params = _where([("period >= ?", start), ("period <= ?", end), ("directorate = ?", directorate),
                            ("service = ?", service), ("channel = ?", channel)])
    sql = f"""
        SELECT period, channel, any_value(is_digital) AS is_digital, sum(contacts) AS contacts
        FROM read_parquet('{run.path("fct_contacts_monthly")}')
        WHERE {where} GROUP BY period, channel ORDER BY period, channel"""
    df = _query(run.run_id, sql, params)
    return _in_channel_order(df.assign(channel_name=[label(run, "channel", c) for c in df["channel"]]))


# Charts stack and list channels in this order: assisted channels, then digital.
CHANNEL_ORDER = ["phone", "face_to_face", "online", "email", "webchat", "social_media"]


def _in_channel_order(df: pd.DataFrame) -> pd.DataFrame:
    rank = {c: i for i, c in enumerate(CHANNEL_ORDER)}
    key = df["channel"].map(lambda c: rank.get(c, len(rank)))
    return df.assign(_rank=key).sort_values(["_rank", "period"], kind="stable").drop(columns="_rank") \
        .reset_index(drop=True)


def channel_costs(run: Run, start: str, end: str, channel: str | None = None) -> pd.DataFrame:
    """Each channel's cost, contacts, unit cost and 2017/18 baseline unit cost by month."""
    where, params = _where([("period >= ?", start), ("period <= ?", end), ("channel = ?", channel)])
    df = mart(run, "fct_channel_costs_monthly", where, params)
    return _in_channel_order(df.assign(channel_name=[label(run, "channel", c) for c in df["channel"]]))


SAVING_GROUPS = {"period": "period", "financial_year": "financial_year", "service": "service",
                 "directorate": "directorate", "channel": "channel"}


def channel_shift_saving(run: Run, start: str, end: str, by: str = "period", directorate: str | None = None,
                         service: str | None = None, channel: str | None = None) -> pd.DataFrame:
    """The channel-mix saving (fct_channel_shift_saving) summed by month, financial
    year, service, directorate or channel. Costs and the saving count only the
    months whose costs are complete for every service and channel (a month the
    ledger has not caught up with is left out whole, never half-counted); a
    group with no such month has empty costs. With a `channel`, that channel's
    part: the cost of the contacts it would have had at the baseline mix less
    the cost of those it had."""
    group = SAVING_GROUPS[by]
    where, params = _where([("period >= ?", start), ("period <= ?", end), ("directorate = ?", directorate),
                            ("service = ?", service), ("channel = ?", channel)])
    path = run.path("fct_channel_shift_saving")
    costed = f"period IN (SELECT period FROM read_parquet('{path}') GROUP BY period HAVING bool_and(costs_complete))"
    sql = f"""
        SELECT {group} AS {by}, sum(contacts) AS contacts, sum(contacts_at_baseline_mix) AS contacts_at_baseline_mix,
               sum(cost_at_actual_mix_gbp) FILTER (WHERE {costed}) AS cost_at_actual_mix_gbp,
               sum(cost_at_baseline_mix_gbp) FILTER (WHERE {costed}) AS cost_at_baseline_mix_gbp,
               sum(saving_gbp) FILTER (WHERE {costed}) AS saving_gbp,
               count(DISTINCT period) FILTER (WHERE {costed}) AS months_costed,
               count(DISTINCT period) AS months
        FROM read_parquet('{path}')
        WHERE {where} GROUP BY ALL ORDER BY 1"""
    df = _query(run.run_id, sql, params)
    if by in ("service", "channel", "ward_code"):
        df = df.assign(label=[label(run, by, v) for v in df[by]])
    return df


def saving_baseline(run: Run) -> str | None:
    """How the saving's baseline period is described (e.g. 'financial year 2021/22')."""
    df = mart(run, "fct_channel_shift_saving", columns="DISTINCT baseline_label")
    return None if df.empty else df["baseline_label"].iloc[0]


# ---------------------------------------------------------------- complaints
STAGES = {"1": "Stage 1", "2": "Stage 2", "ombudsman": "Ombudsman"}


def complaints(run: Run, start: str, end: str, by: str, directorate: str | None = None, service: str | None = None,
               stage: str | None = None) -> pd.DataFrame:
    """Complaints summed by `by` (period, stage, directorate, service or category):
    received (by month of receipt), answered, on time and upheld (by month of
    answer), with the rates those counts give. (Ward is not at this grain: see
    complaints_by_ward.)"""
    assert by in {"period", "stage", "directorate", "service", "category"}
    where, params = _where([("period >= ?", start), ("period <= ?", end), ("directorate = ?", directorate),
                            ("service = ?", service), ("stage = ?", stage)])
    sql = f"""
        SELECT {by}, sum(received) AS received, sum(responded) AS responded, sum(on_time) AS on_time,
               sum(on_time) / NULLIF(sum(responded), 0) AS on_time_rate,
               sum(decided) AS decided, sum(upheld) AS upheld, sum(upheld) / NULLIF(sum(decided), 0) AS upheld_rate,
               sum(remedy_gbp) AS remedy_gbp,
               sum(working_days_taken) / NULLIF(sum(responded), 0) AS mean_working_days
        FROM read_parquet('{run.path("fct_complaints_monthly")}')
        WHERE {where} GROUP BY ALL ORDER BY 1"""
    df = _query(run.run_id, sql, params)
    if by == "service":
        df = df.assign(label=[label(run, by, v) for v in df[by]])
    return df


def complaints_by_stage_and_month(run: Run, start: str, end: str, directorate: str | None = None,
                                  service: str | None = None) -> pd.DataFrame:
    where, params = _where([("period >= ?", start), ("period <= ?", end), ("directorate = ?", directorate),
                            ("service = ?", service)])
    sql = f"""
        SELECT period, stage, sum(received) AS received, sum(responded) AS responded, sum(on_time) AS on_time,
               sum(on_time) / NULLIF(sum(responded), 0) AS on_time_rate
        FROM read_parquet('{run.path("fct_complaints_monthly")}')
        WHERE {where} GROUP BY ALL ORDER BY period, stage"""
    df = _query(run.run_id, sql, params)
    return df.assign(stage_name=df["stage"].map(STAGES))


# ---------------------------------------------------------------- surveys
SURVEYS = {"resident": "Resident survey", "transactional": "Post-contact survey", "staff": "Staff survey",
           "business": "Business survey"}
SURVEY_DIMENSIONS = {"": "Everyone", "age_band": "Age band", "gender": "Gender", "ethnicity": "Ethnicity",
                     "disability": "Disability", "ward_code": "Ward", "channel": "Channel", "service": "Service"}


def survey_questions(run: Run, survey: str | None = None) -> pd.DataFrame:
    q = mart(run, "dim_survey_questions")
    return q if survey is None else q[q["survey"] == survey].reset_index(drop=True)


def survey_waves(run: Run, survey: str, period: str) -> pd.DataFrame:
    """The survey's waves whose fieldwork started by the end of `period`, oldest first."""
    w = mart(run, "dim_survey_waves", "survey = ? AND wave_month <= ?", (survey, period))
    return w.sort_values("wave_month").reset_index(drop=True)


def survey_results(run: Run, survey: str, period: str, breakdown: str = "", months: int | None = None) -> pd.DataFrame:
    """Every question of a survey wave by wave (positive share with base_n and the
    95% interval kpi_values carries), up to `period`."""
    q = survey_questions(run, survey)
    ids = tuple(f"survey.{x}" for x in q["question_id"])
    if not ids:
        return pd.DataFrame()
    tl = kpi_timeline(run, ids, breakdown)
    end = pd.Timestamp(f"{period}-01")
    tl = tl[tl["period_month"] <= end]
    if months is not None and survey == "transactional":
        tl = tl[tl["period_month"] > end - pd.DateOffset(months=months)]
    wording = dict(zip("survey." + q["question_id"], q["wording"], strict=True))
    return tl.assign(question=tl["kpi_id"].map(labels(run)["kpi"]).fillna(tl["kpi_id"]),
                     wording=tl["kpi_id"].map(wording)).sort_values(["kpi_id", "period_month"]).reset_index(drop=True)


def survey_distribution(run: Run, survey: str, question_id: str, period: str) -> pd.DataFrame:
    """Weighted share of each answer, wave by wave (fct_survey_distribution), in the scale's order."""
    df = mart(run, "fct_survey_distribution", "survey = ? AND question_id = ?", (survey, question_id))
    waves = survey_waves(run, survey, period)
    df = df[df["wave"].isin(waves["wave"])]
    q = survey_questions(run, survey)
    scale = q.loc[q["question_id"] == question_id, "answer_scale"]
    order = scale.iloc[0].split("|") if len(scale) else sorted(df["answer"].unique())
    df = df.assign(answer_order=df["answer"].map({a: i for i, a in enumerate(order)}))
    return df.sort_values(["wave", "answer_order"]).reset_index(drop=True)


# ---------------------------------------------------------------- action plan
ACTION_STATUSES = {"complete": "Complete", "on_track": "On track", "at_risk": "At risk", "off_track": "Off track",
                   "not_started": "Not started"}


def action_plan(run: Run, outcome: int | None = None, status: str | None = None) -> pd.DataFrame:
    """Each action as at the latest status report (fct_action_plan_latest)."""
    where, params = _where([("outcome = ?", outcome), ("status = ?", status)])
    return mart(run, "fct_action_plan_latest", where, params)


def action_plan_history(run: Run, outcome: int | None = None) -> pd.DataFrame:
    where, params = _where([("outcome = ?", outcome)])
    return mart(run, "fct_action_plan_history", where, params)


# ---------------------------------------------------------------- catalogue
def kpi_targets(run: Run) -> pd.DataFrame:
    return mart(run, "dim_kpi_targets")


def complaints_by_ward(run: Run, period: str) -> pd.DataFrame:
    """Complaints received in `period` by the complainant's ward, as published in
    kpi_values (complaints_received, breakdown ward_code=...) under disclosure
    control (a ward with fewer than 10 is suppressed), with each ward's Census
    2021 population and the rate per 10,000 residents. Every ward is listed; a
    ward with no row had no complaint that month."""
    sql = f"""
        SELECT w.ward_code, w.ward_name AS label, w.population_census_2021 AS population,
               CASE WHEN k.breakdown_value IS NULL THEN 0 ELSE k.value END AS received,
               coalesce(k.suppressed, FALSE) AS suppressed,
               CASE WHEN k.breakdown_value IS NULL THEN 0 ELSE k.value END * 10000.0 / w.population_census_2021
                   AS per_10k_residents
        FROM read_parquet('{run.path("dim_wards")}') w
        LEFT JOIN (SELECT breakdown_value, value, suppressed FROM read_parquet('{run.path("fct_kpi_timeline")}')
                   WHERE kpi_id = 'complaints_received' AND breakdown_dimension = 'ward_code' AND period = ?) k
               ON k.breakdown_value = w.ward_code
        ORDER BY per_10k_residents DESC NULLS LAST, label"""
    return _query(run.run_id, sql, (period,))


# ================================================================ voice of the customer and equality (issue 5)
# Loaders for pages/voice_of_the_customer.py and pages/equality.py, kept in one
# section. Every figure, interval, base and significance word comes from the
# marts (fct_survey_change, fct_survey_gaps, fct_survey_weighting,
# fct_equality_gaps, fct_equality_channel_access, dim_benchmarks): the pages
# only choose rows and format them.
GROUP_LABELS = {"disability": {"Y": "Disabled", "N": "Not disabled"}}
EQUALITY_DIMENSIONS = {"age_band": "Age band", "ethnicity": "Ethnicity", "disability": "Disability",
                       "gender": "Gender"}


def group_label(run: Run, dimension: str, value) -> str:
    """A respondent group as people read it ('Disabled', a ward's name, '65+')."""
    if dimension in GROUP_LABELS:
        return GROUP_LABELS[dimension].get(value, str(value))
    return label(run, dimension, value)


def _in_window(df: pd.DataFrame, period: str, months: int | None, monthly: bool, column: str = "period_month"):
    """Rows up to the end of `period`; a monthly series also within the trend window."""
    end = pd.Timestamp(f"{period}-01")
    when = pd.to_datetime(df[column])
    keep = when <= end
    if monthly and months is not None:
        keep &= when > end - pd.DateOffset(months=months)
    return df[keep]


def survey_change(run: Run, survey: str, period: str, breakdown: str = "", months: int | None = None) -> pd.DataFrame:
    """Every question of a survey wave by wave (fct_survey_change): value, unweighted and
    effective base, the change on the previous wave with its interval, p-value and words;
    with the question's name and wording. The 95% interval of the figure itself is
    kpi_values' (fct_kpi_timeline), joined on."""
    df = mart(run, "fct_survey_change", "survey = ? AND breakdown = ?", (survey, breakdown))
    df = _in_window(df, period, months, survey == "transactional")
    if df.empty:
        return df.assign(question=pd.Series(dtype=str), wording=pd.Series(dtype=str),
                         ci_low=pd.Series(dtype=float), ci_high=pd.Series(dtype=float))
    ids = tuple(df["kpi_id"].unique())
    tl = kpi_timeline(run, ids, breakdown)[["kpi_id", "period", "ci_low", "ci_high"]]
    df = df.merge(tl, on=["kpi_id", "period"], how="left")
    q = survey_questions(run, survey)
    wording = dict(zip("survey." + q["question_id"], q["wording"], strict=True))
    order = {f"survey.{x}": i for i, x in enumerate(q["question_id"])}
    df = df.assign(question=df["kpi_id"].map(labels(run)["kpi"]).fillna(df["kpi_id"]),
                   wording=df["kpi_id"].map(wording), question_order=df["kpi_id"].map(order))
    return df.sort_values(["question_order", "period_month"]).reset_index(drop=True)


def survey_latest(run: Run, survey: str, period: str, breakdown: str = "") -> pd.DataFrame:
    """Each question's most recent wave up to `period` (one row a question)."""
    df = survey_change(run, survey, period, breakdown)
    if df.empty:
        return df
    return df.groupby("kpi_id", sort=False).tail(1).reset_index(drop=True)


def survey_weighting(run: Run, survey: str, period: str, months: int | None = None) -> pd.DataFrame:
    """How each wave was weighted and what it cost in precision (fct_survey_weighting)."""
    df = mart(run, "fct_survey_weighting", "survey = ?", (survey,))
    df = df.assign(period_month=pd.to_datetime(df["wave_month"] + "-01"))
    return _in_window(df, period, months, survey == "transactional").reset_index(drop=True)


def benchmarks(run: Run, kpi_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """External benchmarks with source and date (dim_benchmarks), optionally those shown beside given KPIs."""
    df = mart(run, "dim_benchmarks")
    return df if kpi_ids is None else df[df["applies_to_kpi_id"].isin(kpi_ids)].reset_index(drop=True)


def survey_gaps(run: Run, kpi_id: str, dimension: str, period_type: str, period: str) -> pd.DataFrame:
    """One survey figure by one respondent group against everyone (fct_survey_gaps), with labels."""
    df = mart(run, "fct_survey_gaps", "kpi_id = ? AND breakdown_dimension = ? AND period_type = ? AND period = ?",
              (kpi_id, dimension, period_type, period))
    df = df.assign(label=[group_label(run, dimension, v) for v in df["breakdown_value"]])
    return df.sort_values("label").reset_index(drop=True)


def survey_gap_dimensions(run: Run, kpi_id: str, period_type: str, period: str) -> list[str]:
    df = mart(run, "fct_survey_gaps", "kpi_id = ? AND period_type = ? AND period = ?", (kpi_id, period_type, period),
              columns="DISTINCT breakdown_dimension")
    return [d for d in SURVEY_DIMENSIONS if d in set(df["breakdown_dimension"])]


def equality_measures(run: Run) -> pd.DataFrame:
    """The equality view's measures in their order (from fct_equality_gaps)."""
    df = mart(run, "fct_equality_gaps", columns="DISTINCT measure_id, measure, source, what_it_counts, sort_order, "
                                                "period_type")
    return df.sort_values("sort_order").reset_index(drop=True)


def equality_periods(run: Run, measure_id: str, period: str) -> list[str]:
    """The measure's periods (waves or financial years) that started by the end of `period`, newest first."""
    df = mart(run, "fct_equality_gaps", "measure_id = ?", (measure_id,), columns="DISTINCT period, period_month")
    df = _in_window(df, period, None, False)
    return list(df.sort_values("period_month", ascending=False)["period"])


def equality_gaps(run: Run, measure_id: str, period: str) -> pd.DataFrame:
    """Each group of every protected characteristic against the borough for one measure and
    period (fct_equality_gaps), with readable group names."""
    df = mart(run, "fct_equality_gaps", "measure_id = ? AND period = ?", (measure_id, period))
    df = df.assign(label=[group_label(run, d, v) for d, v in zip(df["dimension"], df["group_name"], strict=True)])
    order = {d: i for i, d in enumerate(EQUALITY_DIMENSIONS)}
    return df.assign(dim_order=df["dimension"].map(order)).sort_values(["dim_order", "label"]).reset_index(drop=True)


def equality_channel_access(run: Run, period: str, months: int | None = None) -> pd.DataFrame:
    """Residents aged 65+ and disabled residents reaching the council by non-digital channels,
    over time (fct_equality_channel_access): monthly from contacts, yearly from the survey."""
    df = mart(run, "fct_equality_channel_access")
    monthly = df[df["period_type"] == "month"]
    yearly = df[df["period_type"] != "month"]
    out = pd.concat([_in_window(monthly, period, months, True), _in_window(yearly, period, None, False)])
    return out.sort_values(["source", "breakdown", "period_month"]).reset_index(drop=True)


def complaints_by_ward_year(run: Run, period: str) -> pd.DataFrame:
    """Complaints received by ward in the financial year holding `period`, per 10,000 residents,
    with disclosure control (fct_complaints_ward: wards under 10 are 'fewer than 10', never 0).
    The only published grain for complaints by ward: fct_complaints_monthly has no ward."""
    month = pd.Timestamp(f"{period}-01")
    start = month.year if month.month >= 4 else month.year - 1
    return mart(run, "fct_complaints_ward", "financial_year = ?", (f"{start}/{str(start + 1)[-2:]}",))


# ================================================================ owners' commentary and release information (issue 12)
# fct_kpi_commentary (what a KPI's owner says about a period), fct_kpi_provisional
# (figures whose sources do not yet cover the month) and fct_source_coverage. A run
# published before these marts existed reads as "none" rather than failing.
def _mart_or_empty(run: Run, name: str, where: str = "", params: tuple = ()) -> pd.DataFrame:
    if not Path(run.path(name)).exists():
        return pd.DataFrame()
    return mart(run, name, where, params)


def kpi_commentary(run: Run, kpi_id: str | None = None) -> pd.DataFrame:
    """Owners' notes, one per KPI and period (the latest delivered), oldest first."""
    df = _mart_or_empty(run, "fct_kpi_commentary", *(("kpi_id = ?", (kpi_id,)) if kpi_id else ()))
    return df.sort_values(["kpi_id", "period"]).reset_index(drop=True) if len(df) else df


def commentary_for(run: Run, kpi_id: str, period: str | None) -> dict | None:
    """The owner's note on a KPI's figure for one period, or None."""
    return _commentary_index(run).get((kpi_id, period)) if period else None


@st.cache_data(max_entries=8, show_spinner=False)
def _commentary_index(run: Run) -> dict[tuple[str, str], dict]:
    # one lookup table per run: every card asks, and a card must stay cheap
    df = kpi_commentary(run)
    return {(r["kpi_id"], r["period"]): r for r in df.to_dict("records")} if len(df) else {}


def provisional_for(run: Run, kpi_id: str, period: str | None) -> dict | None:
    """Why a KPI's figure for a period is provisional (its incomplete sources, with
    how far each reaches), or None when every source covers it."""
    return _provisional_index(run).get((kpi_id, period)) if period else None


@st.cache_data(max_entries=8, show_spinner=False)
def _provisional_index(run: Run) -> dict[tuple[str, str], dict]:
    prov = _mart_or_empty(run, "fct_kpi_provisional")
    if prov.empty:
        return {}
    coverage = source_coverage(run)
    by_source = {(r["source"], r["period"]): r for r in coverage.to_dict("records")} if len(coverage) else {}
    out = {}
    for row in prov[prov["is_provisional"]].to_dict("records"):
        sources = []
        for source in row["incomplete_sources"]:
            c = by_source.get((source, row["period"]), {})
            sources.append({"source": source, "label": SOURCE_LABELS.get(source, source),
                            "last_record_on": c.get("source_last_record_on", row["records_end_on"]),
                            "channels_without_cost": c.get("channels_without_cost"),
                            "month_end": c.get("month_end")})
        out[(row["kpi_id"], row["period"])] = {"kpi_id": row["kpi_id"], "period": row["period"],
                                               "records_end_on": row["records_end_on"], "sources": sources}
    return out


@st.cache_data(max_entries=8, show_spinner=False)
def kpi_cadences(run: Run) -> dict[str, str]:
    cat = kpi_catalogue(run)
    return dict(zip(cat["kpi_id"], cat["cadence"], strict=True))


def source_coverage(run: Run) -> pd.DataFrame:
    """Per source and month, whether its records cover the whole month (fct_source_coverage)."""
    return _mart_or_empty(run, "fct_source_coverage")
# ================================================================ trust: status rule, SPC, data problems (issue 10)
# Loaders for the one status/precision rule (dashboard/status.py), the XmR SPC
# marts (fct_kpi_spc, dim_spc_rebases), figures outside their valid range
# (dq_kpi_out_of_range) and what changed since the previous period.
NO_SPC = {"variation": None, "assurance": None, "special_cause_rule": None, "signal": None,
          "spc_assessed": False, "as_at_segment_start": None, "as_at_segment_months": None,
          "as_at_limits_trial": None, "as_at_mean": None, "as_at_lower_limit": None, "as_at_upper_limit": None}


def _valid(df: pd.DataFrame) -> pd.Series:
    """Rows whose figure is inside its KPI's valid range (not a data problem)."""
    if "out_of_range" not in df.columns:
        return pd.Series(True, index=df.index)
    return ~df["out_of_range"].fillna(False).astype(bool)


def kpi_spc(run: Run, kpi_ids: tuple[str, ...] | None = None, breakdowns: tuple[str, ...] = ("",)) -> pd.DataFrame:
    """XmR SPC of monthly KPIs (fct_kpi_spc): per month the chart's limits and signals
    (every month published to date) and the signal as it stood that month (as_at_*)."""
    where, params = [f"breakdown IN ({', '.join('?' * len(breakdowns))})"], list(breakdowns)
    if kpi_ids is not None:
        if not kpi_ids:
            return mart(run, "fct_kpi_spc", "FALSE")
        where.append(f"kpi_id IN ({', '.join('?' * len(kpi_ids))})")
        params += list(kpi_ids)
    return mart(run, "fct_kpi_spc", " AND ".join(where), tuple(params))


def _spc_of(spc: pd.DataFrame, kpi_id: str, breakdown: str, period: str) -> dict:
    """A card's variation and assurance: the month's signal as it stood that month."""
    s = spc[(spc["kpi_id"] == kpi_id) & (spc["breakdown"] == breakdown) & (spc["period"] == period)]
    if s.empty:
        return NO_SPC
    s = s.iloc[0]
    return {"variation": s["as_at_variation"], "assurance": s["as_at_assurance"],
            "special_cause_rule": s["as_at_special_cause_rule"], "signal": s["as_at_signal"],
            "spc_assessed": bool(s["as_at_assessed"]), "as_at_segment_start": s["as_at_segment_start"],
            "as_at_segment_months": s["as_at_segment_months"], "as_at_limits_trial": s["as_at_limits_trial"],
            "as_at_mean": s["as_at_mean"], "as_at_lower_limit": s["as_at_lower_limit"],
            "as_at_upper_limit": s["as_at_upper_limit"]}


def spc_rebases(run: Run, kpi_id: str, breakdown: str = "") -> pd.DataFrame:
    """Where a KPI's SPC limits were recalculated, and why (dim_spc_rebases)."""
    return mart(run, "dim_spc_rebases", "kpi_id = ? AND breakdown = ?", (kpi_id, breakdown))


def status_rule(run: Run) -> str:
    """The catalogue's rule for printing a figure beside its status, in words (dim_status_rule)."""
    df = mart(run, "dim_status_rule")
    return df["statement"].iloc[0]


def kpi_out_of_range(run: Run) -> pd.DataFrame:
    """KPI figures outside their valid range: data-quality failures (dq_kpi_out_of_range)."""
    return mart(run, "dq_kpi_out_of_range")


def previous_period(run: Run, period: str) -> str | None:
    older = [p for p in complete_periods(run) if p < period]
    return older[0] if older else None


@st.cache_data(max_entries=32, show_spinner=False)
def status_changes(run: Run, period: str, months: int = 3) -> pd.DataFrame:
    """Measures whose status or variation signal changed, month by month, for the
    `months` months up to `period`, newest first: each month's scorecard against the
    month before's (a survey changes when a new wave arrives). Columns: period (the
    month the change was seen), kpi_id, name, outcome, kind, figure_period, rag,
    previous_rag, out_of_range, previous_out_of_range, variation, previous_variation,
    special_cause_rule, signal."""
    periods = [p for p in complete_periods(run) if p <= period][:months + 1]
    rows = []
    for now, before in zip(periods, periods[1:], strict=False):
        a = scorecard(run, now, headline_only=False)
        b = scorecard(run, before, headline_only=False).set_index("kpi_id")
        for r in a.itertuples():
            if r.kpi_id not in b.index or r.period is None or (isinstance(r.period, float) and pd.isna(r.period)):
                continue
            p = b.loc[r.kpi_id]
            status_changed = (r.rag if isinstance(r.rag, str) else None) != (
                p["rag"] if isinstance(p["rag"], str) else None) or bool(r.out_of_range) != bool(p["out_of_range"])
            var_now = r.variation if isinstance(r.variation, str) else None
            var_before = p["variation"] if isinstance(p["variation"], str) else None
            variation_changed = var_now is not None and var_now != var_before and not (
                var_before is None and var_now == "common_cause")
            if r.period == p["period"] or not (status_changed or variation_changed):
                continue
            rows.append({"period": now, "kpi_id": r.kpi_id, "name": r.name, "outcome": r.outcome, "kind": r.kind,
                         "cadence": r.cadence,
                         "unit": r.unit, "figure_period": r.period, "previous_figure_period": p["period"],
                         "rag": r.rag, "previous_rag": p["rag"], "out_of_range": bool(r.out_of_range),
                         "previous_out_of_range": bool(p["out_of_range"]), "status_changed": status_changed,
                         "variation": var_now, "previous_variation": var_before,
                         "variation_changed": variation_changed, "special_cause_rule": r.special_cause_rule,
                         "signal": r.signal, "sort_order": r.Index})
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    return df.sort_values(["period", "sort_order"], ascending=[False, True]).reset_index(drop=True)
# ================================================================ CMT: services and channels (issue 12 item 4)
# Which services still take the most contacts in a channel (phone unless another
# is chosen), how that changes on a year before, and each service's share of
# its contacts in that channel month by month. From fct_contacts_monthly, as
# the contacts-by-channel chart: online contacts count when completed.
RANKED_CHANNEL = "phone"  # the CMT question: which services still take the most phone calls


def service_channel_ranking(run: Run, period: str, channel: str, directorate: str | None = None,
                            service: str | None = None) -> pd.DataFrame:
    """Per service for `period` and the same month a year before: contacts in
    `channel`, contacts in every channel, the channel's share of the service's
    contacts and the service's rank by the channel's contacts (1 = most); most
    first. A service with no contact in either month is left out."""
    year_before = (pd.Timestamp(f"{period}-01") - pd.DateOffset(months=12)).strftime("%Y-%m")
    where, params = _where([("directorate = ?", directorate), ("service = ?", service)])
    sql = f"""
        WITH m AS (
            SELECT service, any_value(directorate) AS directorate,
                   coalesce(sum(contacts) FILTER (WHERE period = ? AND channel = ?), 0) AS contacts,
                   coalesce(sum(contacts) FILTER (WHERE period = ?), 0) AS all_contacts,
                   coalesce(sum(contacts) FILTER (WHERE period = ? AND channel = ?), 0) AS contacts_year_before,
                   coalesce(sum(contacts) FILTER (WHERE period = ?), 0) AS all_contacts_year_before
            FROM read_parquet('{run.path("fct_contacts_monthly")}')
            WHERE period IN (?, ?) AND service IS NOT NULL AND {where}
            GROUP BY service
        )
        SELECT *, contacts / NULLIF(all_contacts, 0) AS share,
               contacts_year_before / NULLIF(all_contacts_year_before, 0) AS share_year_before,
               contacts - contacts_year_before AS change,
               rank() OVER (ORDER BY contacts DESC) AS rank
        FROM m WHERE all_contacts > 0 OR all_contacts_year_before > 0
        ORDER BY contacts DESC, service"""
    df = _query(run.run_id, sql, (period, channel, period, year_before, channel, year_before, period, year_before,
                                  *params))
    # The rank a year before, among the services that had contacts then.
    had = df["all_contacts_year_before"] > 0
    df["rank_year_before"] = df["contacts_year_before"].where(had).rank(ascending=False, method="min")
    return df.assign(label=[label(run, "service", v) for v in df["service"]], period=period,
                     year_before=year_before, channel=channel).reset_index(drop=True)


def service_channel_share(run: Run, start: str, end: str, channel: str, directorate: str | None = None,
                          service: str | None = None) -> pd.DataFrame:
    """Each service's contacts in `channel` and in every channel, and the share, by month."""
    where, params = _where([("period >= ?", start), ("period <= ?", end), ("directorate = ?", directorate),
                            ("service = ?", service)])
    sql = f"""
        SELECT period, service, any_value(directorate) AS directorate,
               coalesce(sum(contacts) FILTER (WHERE channel = ?), 0) AS contacts,
               sum(contacts) AS all_contacts,
               coalesce(sum(contacts) FILTER (WHERE channel = ?), 0) / NULLIF(sum(contacts), 0) AS share
        FROM read_parquet('{run.path("fct_contacts_monthly")}')
        WHERE service IS NOT NULL AND {where}
        GROUP BY period, service ORDER BY service, period"""
    df = _query(run.run_id, sql, (channel, channel, *params))
    df = df.assign(label=[label(run, "service", v) for v in df["service"]],
                   period_month=pd.to_datetime(df["period"] + "-01"))
    return df.reset_index(drop=True)


def contacts_by_service_and_channel(run: Run, period: str, directorate: str | None = None,
                                    service: str | None = None) -> pd.DataFrame:
    """Contacts in `period` by service and channel (channels in the charts' order)."""
    where, params = _where([("directorate = ?", directorate), ("service = ?", service)])
    sql = f"""
        SELECT service, channel, sum(contacts) AS contacts
        FROM read_parquet('{run.path("fct_contacts_monthly")}')
        WHERE period = ? AND service IS NOT NULL AND {where} GROUP BY ALL ORDER BY service, channel"""
    df = _query(run.run_id, sql, (period, *params)).assign(period=period)
    return _in_channel_order(df.assign(label=[label(run, "service", v) for v in df["service"]],
                                       channel_name=[label(run, "channel", c) for c in df["channel"]]))


def channel_share_of_contacts(run: Run, start: str, end: str, channel: str, directorate: str | None = None,
                              service: str | None = None) -> pd.DataFrame:
    """One channel's share of all contacts, by month, for a service or directorate."""
    where, params = _where([("period >= ?", start), ("period <= ?", end), ("directorate = ?", directorate),
                            ("service = ?", service)])
    sql = f"""
        SELECT period, coalesce(sum(contacts) FILTER (WHERE channel = ?), 0) AS contacts,
               sum(contacts) AS all_contacts,
               coalesce(sum(contacts) FILTER (WHERE channel = ?), 0) / NULLIF(sum(contacts), 0) AS share
        FROM read_parquet('{run.path("fct_contacts_monthly")}')
        WHERE {where} GROUP BY period ORDER BY period"""
    df = _query(run.run_id, sql, (channel, channel, *params))
    return df.assign(period_month=pd.to_datetime(df["period"] + "-01"))
