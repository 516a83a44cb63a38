"""Helpers for page tests in Streamlit's AppTest: open a page with query
parameters (as a shared link would), read what it shows, and a copy of the
demo marts with one directorate's data taken out (for empty states)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"

# The directorate the "thin" marts lose: every page must say plainly it has no data.
GONE = "Children and Culture"


def open_page(page: str, **query: str) -> AppTest:
    """Run the app on `page` (a file in dashboard/pages, without .py) with URL query parameters.

    Query values are what the URL carries: the option as the widget shows it
    (e.g. period='March 2025', directorate='Place')."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    # The link is opened fresh: the parameters are there from the first run
    # (a widget already in session state would otherwise win over the URL).
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    if query:
        # AppTest's first run after switch_page gives bound widgets their default;
        # the next run reads the URL as a browser opening the link does.
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def walk(block):
    """Every element of a block in document order."""
    for child in block.children.values():
        yield child
        if hasattr(child, "children") and isinstance(child.children, dict):
            yield from walk(child)


def texts(at: AppTest) -> str:
    """All the text a reader sees in the main area (markdown, captions, notes, headings, metrics)."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.info]
    parts += [e.value for e in at.header] + [e.value for e in at.subheader] + [e.value for e in at.title]
    parts += [e.value for e in at.success]
    return "\n".join(str(p) for p in parts)


def unescaped(markdown: str) -> str:
    """What a reader sees of markdown escaped by pipelines.safe_text.markdown_text
    (backslash escapes resolved, invisible word joiners dropped)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@dataclass(frozen=True)
class Offered:
    label: str
    file_name: str
    key: str | None
    body: bytes


@contextlib.contextmanager
def offered_downloads() -> Iterator[list[Offered]]:
    """Every download the pages run inside the block offer, its file made as a click makes it.

    Downloads are made on click (dashboard/downloads.py), and AppTest has no runtime to
    click through, so the buttons' own callables are called here."""
    offered: list[Offered] = []
    original = st.download_button

    def recording(label, data=None, file_name=None, *args, **kwargs):
        body = data() if callable(data) else data
        body = body.encode() if isinstance(body, str) else bytes(body)
        offered.append(Offered(label, file_name or "", kwargs.get("key"), body))
        return original(label, data, file_name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(st, "download_button", recording)
        yield offered


def infos(at: AppTest) -> list[str]:
    return [e.value for e in at.info]


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def charts_without_data(at: AppTest) -> list[str]:
    """Charts not followed, before the next section heading, by a CSV download
    of their data (every chart must have its data a click away)."""
    missing, pending = [], []
    for el in walk(at.main):
        kind = getattr(el, "type", "")
        if kind == "plotly_chart":
            pending.append(el.proto.id)
        elif kind == "download_button":
            pending = []
        elif kind in ("subheader", "header", "title"):
            missing += pending
            pending = []
    return missing + pending


def chart_count(at: AppTest) -> int:
    return sum(1 for el in walk(at.main) if getattr(el, "type", "") == "plotly_chart")


def download_keys(at: AppTest) -> list[str]:
    return [d.key for d in at.get("download_button")]


def dataframe_with(at: AppTest, *columns: str):
    """The first table on the page that has all these columns."""
    for d in at.dataframe:
        if set(columns) <= set(d.value.columns):
            return d.value
    raise AssertionError(f"no table with columns {columns}")


@pytest.fixture(scope="module")
def thin_marts(demo_marts, tmp_path_factory) -> Path:
    """A copy of the published demo run with every row of one directorate
    (GONE) and its services removed from the facts the pages read."""
    src = (demo_marts / "current").resolve()
    root = tmp_path_factory.mktemp("thin")
    manifest = json.loads((src / "manifest.json").read_text())
    manifest["run_id"] += "-thin"
    run = root / "runs" / manifest["run_id"]
    shutil.copytree(src, run, ignore=shutil.ignore_patterns("data_docs"))
    (run / "manifest.json").write_text(json.dumps(manifest))
    (root / "current").symlink_to(run.relative_to(root))
    con = duckdb.connect()
    services = [r[0] for r in con.execute(
        f"SELECT service_code FROM read_parquet('{run / 'dim_services.parquet'}') WHERE directorate = ?",
        [GONE]).fetchall()]
    keys = [f"directorate={GONE}", *(f"service={s}" for s in services)]
    drops = {
        "fct_contacts_monthly": ("directorate = ?", [GONE]),
        "fct_complaints_monthly": ("directorate = ?", [GONE]),
        "fct_channel_shift_saving": ("directorate = ?", [GONE]),
        "fct_kpi_timeline": (f"breakdown IN ({', '.join('?' * len(keys))})", keys),
        "kpi_values": (f"breakdown IN ({', '.join('?' * len(keys))})", keys),
    }
    for name, (where, params) in drops.items():
        path = run / f"{name}.parquet"
        tmp = run / f"{name}.tmp.parquet"
        con.execute(f"COPY (SELECT * FROM read_parquet('{path}') WHERE NOT ({where})) TO '{tmp}' (FORMAT parquet)",
                    params)
        tmp.replace(path)
    return root
