"""Run checks both ways, SQL in DuckDB and Great Expectations on pandas, and compare.

The pandas side is what the ingest does today: the typed rows as DuckDB hands
them over (`.df()`, indexed by `_rid`) to `validation.run_checks`. The SQL side
is `checks_sql.run_checks_sql` over the same rows in DuckDB. Both must agree on
every check: could it run, did it pass, how many rows it counted and which
rows (file and row number) failed, and on the Data Docs figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.checks_sql import SqlCheckStats, run_checks_sql
from pipelines.contract import Source
from pipelines.landing import RawFile, discover
from pipelines.readers import ANSWERS_TABLE, create_staging_tables, land_files
from pipelines.typing_sql import TYPED_TABLE, build_typed_table_sql
from pipelines.validation import Check, CheckResult, run_checks

ROWS, ANSWERS = "diff_rows", "diff_answers"


def land(con, source: Source, paths: list[Path], parameters: dict) -> dict[str, str]:
    """Land and type files as the ingest does; the frames as DuckDB tables."""
    create_staging_tables(con, source)
    landed, _, _ = land_files(con, source, _raw_files(source, paths), set(parameters.get("question_ids", [])))
    con.execute(build_typed_table_sql(source, [n for n, lf in landed.items() if lf.has_control_bytes]))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT * EXCLUDE (_errors, _key) "
                f"FROM {TYPED_TABLE} WHERE len(_errors) = 0 ORDER BY _rid")
    frames = {"rows": ROWS}
    if source.question_columns:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {ANSWERS} AS
            SELECT a._rid, a.question_id, trim(a.answer) AS answer,
                   a.question_id || '|' || trim(a.answer) AS question_answer
            FROM {ANSWERS_TABLE} a JOIN {TYPED_TABLE} t USING (_rid)
            WHERE len(t._errors) = 0 ORDER BY a._rid, a.question_id""")
        frames["answers"] = ANSWERS
    return frames


def _raw_files(source: Source, paths: list[Path]) -> list[RawFile]:
    """The files as the ingest lists them (landing.discover), in name order."""
    wanted = {p.name for p in paths}
    out: list[RawFile] = []
    for raw_dir in sorted({p.parent.parent for p in paths}):
        files, _ = discover(raw_dir, source.name)
        out += [f for f in files if f.name in wanted]
    return sorted(out, key=lambda f: f.name)


def frame_of(con, table: str, row_id: str = "_rid") -> pd.DataFrame:
    frame = con.execute(f"SELECT * FROM {table} ORDER BY {row_id}").df()
    frame.index = frame[row_id].to_numpy()
    return frame


@dataclass
class Comparison:
    checks: list[Check]
    gx: list[CheckResult]
    sql: list[CheckResult]
    gx_docs: dict[int, dict]
    sql_docs: dict[int, dict]
    stats: SqlCheckStats
    mismatches: list[str] = field(default_factory=list)

    @property
    def failing_rows(self) -> int:
        return sum(len(r.failing_rids) for r in self.gx if r.failing_rids is not None)


def _docs_by_index(docs: list) -> dict[int, dict]:
    from great_expectations.util import convert_to_json_serializable

    out = {}
    for doc in docs:
        for res in convert_to_json_serializable(doc.to_json_dict())["results"]:
            out[int(res["expectation_config"]["meta"]["check_index"])] = res
    return out


def _normal(value):
    """JSON values with every spelling of a missing value as None."""
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if value in ("NaT", "NaN", "nan") or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.endswith(".000000") and "T" in value:
        return value[: -len(".000000")]
    return str(value) if type(value).__module__ == "numpy" else value


def _merged_counts(counts):
    """GX counts each NaN read off a float array apart (NaN != NaN): merge equal values."""
    if not isinstance(counts, list):
        return counts
    merged: dict = {}
    for entry in counts:
        key = repr(_normal(entry.get("value")))
        merged.setdefault(key, [_normal(entry.get("value")), 0])[1] += entry.get("count", 0)
    return sorted(([v, n] for v, n in merged.values()), key=lambda x: (-x[1], repr(x[0])))


DOC_FIELDS = ("element_count", "unexpected_count", "unexpected_percent", "missing_count", "missing_percent",
              "unexpected_percent_total", "unexpected_percent_nonmissing", "partial_unexpected_list",
              "partial_unexpected_counts")


def compare(con, checks: list[Check], table: str, parameters: dict, rows_table: str | None = None,
            sensitive_columns: tuple[str, ...] = ()) -> Comparison:
    """Both ways over one relation; `rows_table` maps row ids to file and row number."""
    frame = frame_of(con, table)
    gx_docs: list = []
    try:
        gx = run_checks(checks, frame, parameters, sensitive_columns=sensitive_columns, docs=gx_docs)
    except Exception:  # GX raised for the whole suite: ask it check by check
        gx, gx_docs = [], []
        for check in checks:
            one: list = []
            try:
                gx += run_checks([check], frame, parameters, sensitive_columns=sensitive_columns, docs=one)
            except Exception as e:  # load_suite would have refused it; run_checks_sql reports an error
                gx.append(CheckResult(check, success=False, error=f"{type(e).__name__}: {e}"))
                continue
            for res in one[0].results:
                res.expectation_config.meta["check_index"] = checks.index(check)
            gx_docs.append(one[0])
    sql_docs: list = []
    stats = SqlCheckStats()
    sql = run_checks_sql(con, checks, table, parameters, sensitive_columns=sensitive_columns, docs=sql_docs,
                         stats=stats)
    cmp = Comparison(checks, gx, sql, _docs_by_index(gx_docs), _docs_by_index(sql_docs), stats)
    where = _row_names(con, rows_table or table)
    for i, (g, s) in enumerate(zip(gx, sql, strict=True)):
        name = f"{checks[i].name} ({checks[i].config['type']})"
        if (g.error is None) != (s.error is None):
            cmp.mismatches.append(f"{name}: GX error {g.error!r}, SQL error {s.error!r}")
            continue
        if g.error:
            continue
        gx_rows, sql_rows = _rows(g, where), _rows(s, where)
        if gx_rows != sql_rows:
            cmp.mismatches.append(f"{name}: failing rows differ: only GX {sorted(gx_rows - sql_rows)[:5]}, "
                                  f"only SQL {sorted(sql_rows - gx_rows)[:5]}")
        if g.success != s.success or g.unexpected_count != s.unexpected_count:
            cmp.mismatches.append(f"{name}: GX success={g.success} unexpected={g.unexpected_count}, "
                                  f"SQL success={s.success} unexpected={s.unexpected_count}")
        gd, sd = cmp.gx_docs.get(i, {}).get("result", {}), cmp.sql_docs.get(i, {}).get("result", {})
        for key in DOC_FIELDS:
            if key == "partial_unexpected_counts" and key not in gd:
                continue  # GX leaves the counts out when it cannot sort the values
            if key == "partial_unexpected_counts":
                if _merged_counts(gd.get(key)) != _merged_counts(sd.get(key)):
                    cmp.mismatches.append(f"{name}: Data Docs {key}: GX {gd.get(key)!r:.300}, SQL {sd.get(key)!r:.300}")
            elif _normal(gd.get(key)) != _normal(sd.get(key)):
                cmp.mismatches.append(f"{name}: Data Docs {key}: GX {_normal(gd.get(key))!r:.300}, "
                                      f"SQL {_normal(sd.get(key))!r:.300}")
    return cmp


def _row_names(con, table: str) -> dict[int, tuple]:
    cols = [c for c in con.sql(f"SELECT * FROM {table}").columns]
    if "_file" in cols and "_row" in cols:
        return {rid: (f, r) for rid, f, r in con.execute(f"SELECT _rid, _file, _row FROM {table}").fetchall()}
    return {}


def _rows(result: CheckResult, where: dict[int, tuple]) -> set:
    rids = [] if result.failing_rids is None else np.asarray(result.failing_rids).tolist()
    return {where.get(int(r), int(r)) for r in rids}
