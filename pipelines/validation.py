"""Great Expectations suites kept as files in expectations/, run on DataFrames.

One suite per source, `expectations/<source>.json`, in Great Expectations 1.x's
own suite format. Each expectation's `severity` (a GX 1.x field) says whether
failing data may be published, and `meta.on_failure` says what happens:

- severity critical, on_failure refuse_file: the whole file is refused
  (e.g. a phone number in a pseudonymised column);
- severity critical, on_failure quarantine_rows (the default for critical):
  the failing rows are quarantined with the check's description as reason;
- severity warning or info (on_failure flag): rows are published; the failure
  is counted and shown on the data-quality page (warning turns the status
  amber, info is recorded only).

`meta.personal_data: true` marks a check whose failing values may identify a
person (a name typed as owner_role): the value is masked wherever published.

`meta.frame` is `rows` (default: one row per record), `answers` (survey
answers, one row per response and question) or the name of a SQL file in
expectations/frames/: a summary the pipeline computes from the warehouse after
loading (a file's volume against its recent range, a day's answer rate, days
since the last delivery, costs missing for a channel with contacts). Checks on
those frames are warnings or info: the rows are already in. Code lists from the reference
tables reach the suites as `{"$PARAMETER": "service_codes"}`.

Great Expectations 1.x has no working DuckDB data source. The ingest runs a
chunk's row-level checks with pipelines.checks_sql (compiled to SQL in DuckDB,
GX's answers); what it does not compile, and the summaries, reach `run_checks`
here as a pandas DataFrame indexed by `_rid`, a row id unique in the chunk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines import settings
from pipelines.safe_text import html_text

SEVERITIES = ("critical", "warning", "info")
ACTIONS = ("refuse_file", "quarantine_rows", "flag")
FRAMES = ("rows", "answers")
# The suite parameter for "now" (the run's start), for checks that a record is not
# dated in the future. Never part of a fingerprint: an outcome it decides is never kept.
RUN_STARTED_AT = "run_started_at"


class SuiteError(ValueError):
    """An expectation file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Check:
    index: int
    name: str
    description: str
    severity: str
    on_failure: str
    frame: str
    config: dict  # {"type": ..., "kwargs": ...}
    personal_data: bool = False  # failing values may identify someone: mask them when published

    @property
    def column(self) -> str | None:
        return self.config["kwargs"].get("column")


@dataclass
class Suite:
    source: str
    path: Path
    checks: list[Check]
    fingerprint: str

    def checks_for(self, frame: str) -> list[Check]:
        return [c for c in self.checks if c.frame == frame]


@dataclass
class CheckResult:
    check: Check
    success: bool
    element_count: int = 0
    unexpected_count: int = 0
    failing_rids: np.ndarray | None = None  # None: the check is not row-level
    error: str | None = None                 # the check could not run


def expectations_dir() -> Path:
    """Read at call time, so a test (or CX_EXPECTATIONS_DIR) can point elsewhere."""
    return settings.EXPECTATIONS_DIR


def suite_path(source: str, directory: Path | None = None) -> Path:
    return (directory or expectations_dir()) / f"{source}.json"


def _default_name(config: dict) -> str:
    kw = config.get("kwargs", {})
    cols = kw.get("column") or kw.get("column_list") or [kw.get("column_A"), kw.get("column_B")]
    cols = cols if isinstance(cols, str) else "+".join(str(c) for c in cols if c)
    return f"{config['type'].removeprefix('expect_')}[{cols}]"


def load_suite(source: str, directory: Path | None = None) -> Suite:
    """Read and check one suite file; raise SuiteError naming the file and the problem."""
    directory = directory or expectations_dir()
    path = suite_path(source, directory)
    if not path.exists():
        raise SuiteError(f"{path}: no expectation suite for source {source!r}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise SuiteError(f"{path}: not UTF-8 text (byte {e.start + 1} is not UTF-8): save the file as UTF-8") from None
    except OSError as e:
        raise SuiteError(f"{path}: cannot be read ({e.strerror})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise SuiteError(f"{path}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("expectations"), list):
        raise SuiteError(f"{path}: expected an object with an 'expectations' list")
    checks = []
    for i, exp in enumerate(raw["expectations"]):
        where = f"{path}: expectation {i + 1}"
        if not isinstance(exp, dict) or "type" not in exp:
            raise SuiteError(f"{where}: has no 'type'")
        meta = exp.get("meta") or {}
        if not isinstance(meta, dict) or not isinstance(exp.get("kwargs", {}), dict):
            raise SuiteError(f"{where} ({exp['type']}): 'meta' and 'kwargs' must be objects")
        severity = exp.get("severity", "critical")
        if severity not in SEVERITIES:
            raise SuiteError(f"{where} ({exp['type']}): severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        on_failure = meta.get("on_failure", "quarantine_rows" if severity == "critical" else "flag")
        if on_failure not in ACTIONS:
            raise SuiteError(f"{where} ({exp['type']}): meta.on_failure must be one of {', '.join(ACTIONS)}")
        if (severity == "critical") != (on_failure != "flag"):
            raise SuiteError(f"{where} ({exp['type']}): severity {severity} cannot have on_failure {on_failure} "
                             "(critical refuses or quarantines; warning and info flag)")
        frame = meta.get("frame", "rows")
        if frame not in FRAMES:
            if not (directory / "frames" / f"{frame}.sql").exists():
                raise SuiteError(f"{where} ({exp['type']}): meta.frame {frame!r} is neither rows, answers nor a "
                                 f"frame defined in {directory / 'frames'}/")
            if severity == "critical":
                raise SuiteError(f"{where} ({exp['type']}): a check on the {frame!r} frame runs after the rows are "
                                 "loaded, so it can only be a warning or info")
        config = {"type": exp["type"], "kwargs": exp.get("kwargs", {})}
        _check_buildable(config, where)
        check = Check(i, meta.get("name") or _default_name(config), meta.get("description") or _default_name(config),
                      severity, on_failure, frame, config, bool(meta.get("personal_data", False)))
        if severity == "critical":
            _check_runnable(check, frame_columns(source, frame), f"{where} ({check.name})")
        checks.append(check)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Suite(source, path, checks, fingerprint)


# Columns of the frames a critical check can look at (chunk_checks builds them).
ROW_COLUMNS = ("_file", "_row", "_rid")
ANSWER_COLUMNS = ("_rid", "question_id", "answer", "question_answer")


def frame_columns(source: str, frame: str) -> tuple[str, ...] | None:
    """The columns of a frame, or None when only running its SQL would tell."""
    from pipelines.contract import load_sources

    if frame == "answers":
        return ANSWER_COLUMNS
    if frame == "rows" and source in load_sources():
        return (*load_sources()[source].column_names, *ROW_COLUMNS)
    return None


def _check_runnable(check: Check, columns: tuple[str, ...] | None, where: str) -> None:
    """A critical check guards what is published: one that could not run would
    let data through, so what can be known before any data is read is checked
    here (its columns exist, its regular expressions compile, its row_condition
    parses and names real columns). What only the data can show (a condition
    that cannot compare a timestamp with a number) is caught when it runs, and
    then holds back the files it guards (chunk_checks.act_on_results)."""
    kw = check.config["kwargs"]
    if columns is not None:
        named = [kw.get(k) for k in ("column", "column_A", "column_B")] + list(kw.get("column_list") or [])
        unknown = [c for c in named if isinstance(c, str) and c not in columns]
        if unknown:
            raise SuiteError(f"{where}: names column(s) {', '.join(repr(c) for c in unknown)} that the source does "
                             f"not have (its columns: {', '.join(c for c in columns if not c.startswith('_'))})")
    patterns = [kw.get("regex")] + list(kw.get("regex_list") or [])
    for pattern in patterns:
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as e:
                raise SuiteError(f"{where}: the regular expression {pattern!r} is invalid ({e})") from None
    condition = kw.get("row_condition")
    if isinstance(condition, str) and columns is not None and kw.get("condition_parser", "pandas") == "pandas":
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        try:
            empty.query(condition, parser="pandas")
        except Exception as e:  # pandas raises SyntaxError, UndefinedVariableError, TypeError, ...
            raise SuiteError(f"{where}: the row_condition {condition!r} cannot be used "
                             f"({type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''})") from None


def check_parameters(suite: Suite, available: set[str]) -> None:
    """Every {"$PARAMETER": name} a suite uses must be one the pipeline provides:
    Great Expectations stops the whole validation on an unknown one."""
    for check in suite.checks:
        for name in _parameters_in(check.config["kwargs"]):
            if name not in available:
                raise SuiteError(f"{suite.path}: expectation {check.index + 1} ({check.name}): unknown parameter "
                                 f"$PARAMETER {name!r} (available: {', '.join(sorted(available))})")


def _parameters_in(value) -> list[str]:
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return [str(value["$PARAMETER"])]
        return [n for v in value.values() for n in _parameters_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in _parameters_in(v)]
    return []


def _check_buildable(config: dict, where: str) -> None:
    """Let Great Expectations itself reject an unknown type or bad arguments."""
    _gx()
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        get_expectation_impl(config["type"])(**config["kwargs"])
    except Exception as e:  # GX raises a range of types for bad configs
        first = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
        raise SuiteError(f"{where} ({config['type']}): Great Expectations rejects it: {first}") from None


@cache
def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every DataFrame it validates, only to label the batch: on a
    # chunk of a million rows that costs seconds and tells us nothing.
    pandas_execution_engine.HASH_THRESHOLD = 0
    return gx


@cache
def _batch_definition():
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("chunks").add_dataframe_asset("chunk")
    return asset.add_batch_definition_whole_dataframe("whole")


def run_checks(checks: list[Check], frame: pd.DataFrame, parameters: dict,
               sensitive_columns: tuple[str, ...] = (), suite_name: str = "run",
               docs: list | None = None) -> list[CheckResult]:
    """Validate one DataFrame (index = _rid) against some checks of a suite.

    With `docs`, a trimmed copy of Great Expectations' own result is appended for
    Data Docs: no row lists, and no values at all from checks on pseudonymised
    or personal-data columns (Data Docs are linked from the dashboard)."""
    if not checks:
        return []
    gx = _gx()
    # Results do not come back in suite order: tag each expectation to match them.
    configs = [dict(c.config, meta={"check_index": i, "name": c.name, "description": c.description,
                                    "on_failure": c.on_failure})
               for i, c in enumerate(checks)]
    suite = gx.ExpectationSuite(name=suite_name, expectations=configs)
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, expectation_parameters=parameters,
                            result_format={"result_format": "COMPLETE"})
    by_index = {int(res.expectation_config.meta["check_index"]): res for res in result.results}
    out = []
    for i, check in enumerate(checks):
        res = by_index[i]
        error = _exception_message(res.exception_info)
        if error:
            out.append(CheckResult(check, success=False, error=error))
            continue
        r = res.result or {}
        idx = r.get("unexpected_index_list")
        rids = None
        if idx is not None:
            rids = np.array([i if not isinstance(i, dict) else i.get("_rid") for i in idx], dtype=np.int64)
        out.append(CheckResult(
            check, success=bool(res.success),
            element_count=int(r.get("element_count") or len(frame)),
            unexpected_count=int(r.get("unexpected_count") or (0 if rids is None else len(rids))),
            failing_rids=rids,
        ))
    if docs is not None:
        docs.append(_trim_for_docs(result, checks, sensitive_columns))
    return out


def _exception_message(info) -> str | None:
    """GX reports a check that could not run either flat or keyed by metric."""
    if not isinstance(info, dict):
        return None
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for c in candidates:
        if c.get("raised_exception"):
            return (c.get("exception_message") or "unknown error").strip().splitlines()[0][:300]
    return None


ROW_LISTS = ("unexpected_list", "unexpected_index_list", "partial_unexpected_index_list",
             "unexpected_index_query", "unexpected_rows")
VALUE_LISTS = ("partial_unexpected_list", "partial_unexpected_counts")


def _trim_for_docs(result, checks: list[Check], sensitive_columns: tuple[str, ...]):
    for res in result.results:
        check = checks[int(res.expectation_config.meta["check_index"])]
        r = res.result or {}
        for key in ROW_LISTS:
            r.pop(key, None)
        if check.personal_data or check.column in sensitive_columns:
            for key in VALUE_LISTS:
                r.pop(key, None)
        # What is left holds values from the extract (a failing value, an observed
        # value): GX's renderer writes some of them into the HTML as they are.
        for key, value in r.items():
            r[key] = _escaped(value)
    return result


def _escaped(value):
    """Every string in a result, HTML-escaped (Data Docs are opened in a browser)."""
    if isinstance(value, str):
        return html_text(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value


def frame_sql(frame: str, source: str, land: str, directory: Path | None = None) -> str:
    text = ((directory or expectations_dir()) / "frames" / f"{frame}.sql").read_text(encoding="utf-8")
    return text.replace("{source}", source).replace("{land_table}", land)


def build_data_docs(out_dir: Path, suites: list[Suite], results: list[tuple[str, str, object]],
                    run_name: str) -> Path:
    """Great Expectations Data Docs (static HTML) for this run's validations.

    `results` are (source, batch label, trimmed suite validation result)."""
    import datetime as dt
    import re

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    gx = _gx()
    context = gx.get_context(mode="ephemeral")
    context.add_data_docs_site("cx", {
        "class_name": "SiteBuilder", "show_how_to_buttons": False,
        # GX wants an absolute base_directory when it has no project root: `make run`
        # passes relative paths (--marts-dir data/marts).
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(Path(out_dir).resolve())},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
    for suite in suites:
        expectations = [dict(c.config, meta={"name": c.name, "description": c.description,
                                             "on_failure": c.on_failure, "frame": c.frame},
                             severity=c.severity) for c in suite.checks]
        context.suites.add(gx.ExpectationSuite(name=suite.source, expectations=expectations))
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    store = context.validation_results_store
    for source, label, result in results:
        suite_id = ExpectationSuiteIdentifier(name=source)
        batch = re.sub(r"[^A-Za-z0-9_.-]+", "_", label)[:120]
        store.store_validation_results(
            suite_validation_result=result,
            suite_validation_result_identifier=ValidationResultIdentifier(
                expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch),
            expectation_suite_identifier=suite_id)
    context.build_data_docs(site_names=["cx"])
    return out_dir / "index.html"
