"""Every section of every page obeys every sidebar filter or says so (issue 10 item 5).

For each page the app registers and each filter in its sidebar (the shared
ones and the page's own), each value is chosen in turn (every value of a short
list, three of a long one) and the page is compared with its default view,
section by section (dashboard/sections.py): every chart, table, metric and
message in a section must show different data, or the section must carry, on
screen, the note saying it is not broken down that way. Charts and tables
outside any section fail the test, so a new one cannot escape it.

Runs on 30 months of demo data, so that each trend window and month differs.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.sections import KEY_PREFIX, NOTE_ICON, RECORD_KEY
from tests.pages import APP

DATA_KINDS = {"plotly_chart", "dataframe", "table", "metric", "info", "success", "warning", "error",
              "arrow_data_frame", "vega_lite_chart"}
FIGURE_KINDS = {"plotly_chart", "dataframe", "table", "metric", "arrow_data_frame", "vega_lite_chart"}
LONG_LIST = 7      # a list longer than this is sampled
SAMPLES = 3        # values tried from a long list: first, middle and last


def registered_pages() -> list[str]:
    """The page files the app registers (app.py's own list, as the navigation holds it)."""
    saved = os.environ.get("CX_MARTS_DIR")
    os.environ["CX_MARTS_DIR"] = "/nonexistent"  # no data needed to list the pages
    try:
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        return [Path(p._page).stem for p in at.session_state["_pages"].values()]
    finally:
        if saved is None:
            os.environ.pop("CX_MARTS_DIR")
        else:
            os.environ["CX_MARTS_DIR"] = saved


PAGES = registered_pages()


@dataclass
class SectionView:
    key: str
    parents: list[str]
    data: list[tuple[str, str]] = field(default_factory=list)  # (what, fingerprint)
    captions: list[str] = field(default_factory=list)
    metrics: list[tuple[str, str]] = field(default_factory=list)


def fingerprint(el) -> tuple[str, str] | None:
    kind = getattr(el, "type", "")
    if kind not in DATA_KINDS:
        return None
    if kind == "metric" and el.proto.body in ("", "–") and not el.proto.chart_data:
        return None  # a card with no figure at all: nothing that could disagree with a filter
    if kind == "plotly_chart":
        spec = json.loads(el.proto.spec)
        body, what = json.dumps(spec.get("data"), sort_keys=True), f"chart {el.proto.id.rsplit('-', 1)[-1]}"
    elif kind in ("dataframe", "table", "arrow_data_frame"):
        df = el.value
        body, what = df.to_csv(), f"table ({', '.join(map(str, df.columns[:4]))})"
    elif kind == "metric":  # the figure, its change and its sparkline: a rounded figure alone may repeat
        p = el.proto
        body, what = f"{p.body}|{p.delta}|{list(p.chart_data)}|{p.help}", f"metric {el.label!r}"
    else:
        body, what = str(el.value), f"{kind} {str(el.value)[:60]!r}"
    return what, hashlib.sha256(body.encode()).hexdigest()


def read_sections(at: AppTest) -> tuple[dict[str, SectionView], list[str]]:
    """Each section's data and captions, and the data found outside every section."""
    views: dict[str, SectionView] = {}
    outside: list[str] = []

    def visit(block, chain: list[str]):
        for child in block.children.values():
            block_id = getattr(getattr(child, "proto", None), "id", "") or ""
            marker = f"-{KEY_PREFIX}"
            if hasattr(child, "children") and isinstance(child.children, dict) and marker in block_id:
                key = block_id.split(marker, 1)[1]
                views[key] = SectionView(key, list(chain))
                visit(child, [*chain, key])
                continue
            if hasattr(child, "children") and isinstance(child.children, dict) and getattr(child, "type", "") not in (
                    "plotly_chart",):
                visit(child, chain)
                continue
            if getattr(child, "type", "") == "caption" and chain:
                views[chain[-1]].captions.append(str(child.value))
            fp = fingerprint(child)
            if fp is None:
                continue
            if chain and getattr(child, "type", "") == "metric":
                # A row of figures is read together: counts of 0 or a rounded 85% may repeat one by one.
                view = views[chain[-1]]
                view.metrics.append(fp)
                view.data = [d for d in view.data if d[0] != "metrics"] + [
                    ("metrics", hashlib.sha256("".join(h for _, h in view.metrics).encode()).hexdigest())]
            elif chain:
                views[chain[-1]].data.append(fp)
            elif getattr(child, "type", "") in FIGURE_KINDS:  # the page's banners and intro are not figures
                outside.append(fp[0])

    visit(at.main, [])
    return views, outside


def notes(at: AppTest) -> dict[str, dict[str, str]]:
    return {k: v["notes"] for k, v in at.session_state[RECORD_KEY].items()}


def shows_by_default(at: AppTest, section: str, filter_key: str, value) -> bool:
    """The section declares it shows this value while the filter is at its default
    (e.g. phone contacts unless another channel is chosen): the same data by design."""
    declared = at.session_state[RECORD_KEY].get(section, {}).get("default_shows", {})
    return filter_key in declared and declared[filter_key] == value


def noted(filter_key: str, view: SectionView, record: dict, views: dict[str, SectionView]) -> bool:
    """The section (or one around it) records a note for the filter, and the note is on screen there."""
    for key in [view.key, *reversed(view.parents)]:
        text = record.get(key, {}).get(filter_key)
        if text and any(NOTE_ICON in c and text in c for c in views[key].captions):
            return True
    return False


def choices(box) -> list[int]:
    """Indexes of the non-default options to try. Months: a year before the latest
    and the earliest (a month or two back can hold the same latest survey wave, by
    design); another long list: its first, middle and last."""
    others = [i for i in range(len(box.options)) if i != (box.index or 0)]
    if box.key == "period":
        return sorted({min(12, len(others)), others[-1]}) if others else []
    if len(others) <= LONG_LIST:
        return others
    return sorted({others[0], others[len(others) // 2], others[-1]})


def open_link(page: str, **query: str) -> AppTest:
    """The page opened from a shared link: the filters in the URL from the first run."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_section_follows_each_filter_or_says_so(page, long_demo_marts, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(long_demo_marts))
    at = open_link(page)
    base, outside = read_sections(at)
    assert not outside, f"{page}: charts or tables outside any section: {outside}"
    assert not any(notes(at).values()), f"{page}: notes shown with every filter at its default: {notes(at)}"
    failures, tried = [], 0
    boxes = list(at.sidebar.selectbox)
    for box in boxes:
        for index in choices(box):
            chosen = box.options[index]
            # opened as a shared link: the filter's value in the URL, as the widget shows it
            at = open_link(page, **{box.key: chosen})
            assert at.query_params.get(box.key) == chosen, f"{box.key}={chosen!r} was not applied"
            views, outside = read_sections(at)
            record = notes(at)
            assert not outside, f"{page} with {box.key}={chosen}: charts or tables outside any section: {outside}"
            value = at.sidebar.selectbox(key=box.key).value
            for name, view in base.items():
                now = views.get(name)
                if now is None or noted(box.key, now, record, views) or shows_by_default(at, name, box.key, value):
                    continue
                same = [what for what, fp in view.data if fp in {f for _, f in now.data}]
                if same:
                    failures.append(f"{box.key}={chosen!r}: section {name!r} shows the same {', '.join(same)} "
                                    "and no note")
            tried += 1
    assert not failures, f"{page}: " + "\n".join(failures)
    assert tried >= len(boxes)
