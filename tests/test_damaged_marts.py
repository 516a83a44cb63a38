"""The dashboard when the published marts are damaged (issue 11 item 9).

A truncated parquet file or a broken manifest in MARTS/current once showed
Streamlit's generic error on 8 (or all 11) of the 11 pages. Now every page shows
the newest intact run kept under MARTS/runs/ with a banner saying what could not be
read and which run is shown; with no intact run, the pages that need a damaged file
say so plainly and the others still show their figures.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import APP

pytestmark = pytest.mark.xdist_group("damaged")

PAGES = sorted(p.stem for p in (APP.parent / "pages").glob("*.py") if p.name != "__init__.py")
OLDER = "20000101T000000.000000-aaaaaa"
NEWER = "20991231T235959.999999-bbbbbb"


def publish_copy(demo_marts: Path, root: Path, run_id: str, *, current: bool) -> Path:
    src = (demo_marts / "current").resolve()
    run = root / "runs" / run_id
    shutil.copytree(src, run, ignore=shutil.ignore_patterns("data_docs"))
    manifest = json.loads((run / "manifest.json").read_text())
    manifest.update(run_id=run_id, data_docs=None)
    (run / "manifest.json").write_text(json.dumps(manifest))
    if current:
        link = root / "current"
        link.unlink(missing_ok=True)
        link.symlink_to(Path("runs") / run_id)
    return run


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def scribble_inside(path: Path) -> None:
    """Damage the data pages and keep the footer: only reading the rows finds it."""
    body = bytearray(path.read_bytes())
    for i in range(8, len(body) - 4096, 7):
        body[i] ^= 0xFF
    path.write_bytes(bytes(body))


def visit_every_page(marts: Path) -> dict[str, AppTest]:
    seen = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CX_MARTS_DIR", str(marts))
        at = AppTest.from_file(str(APP), default_timeout=180).run()
        for name in PAGES:
            at.switch_page(f"pages/{name}.py").run()
            seen[name] = {"exceptions": [e.message for e in at.exception],
                          "warnings": [w.value for w in at.warning], "errors": [e.value for e in at.error],
                          "captions": [c.value for c in at.caption], "charts": len(at.get("plotly_chart"))}
    return seen


@pytest.mark.parametrize("damage", ["truncated parquet", "broken manifest", "damaged pages inside a parquet"])
def test_every_page_falls_back_to_the_newest_intact_run(demo_marts, tmp_path, damage):
    publish_copy(demo_marts, tmp_path, OLDER, current=False)
    newer = publish_copy(demo_marts, tmp_path, NEWER, current=True)
    if damage == "truncated parquet":
        truncate(newer / "fct_kpi_timeline.parquet")
        named = "fct\\_kpi\\_timeline.parquet"
    elif damage == "broken manifest":
        (newer / "manifest.json").write_text('{"run_id": "' + NEWER + '", "mode": ')
        named = "manifest.json"
    else:
        scribble_inside(newer / "fct_kpi_timeline.parquet")
        named = "fct\\_kpi\\_timeline.parquet"
    seen = visit_every_page(tmp_path)
    for page, s in seen.items():
        assert s["exceptions"] == [], (page, s["exceptions"])
        banner = [w for w in s["warnings"] if "cannot be read" in w]
        assert banner, (page, s["warnings"])
        assert named in banner[0] and NEWER.replace("_", "\\_") in banner[0] and OLDER in banner[0], banner[0]
        assert any(f"run {OLDER}" in c for c in s["captions"]), page  # "data as at ... · run <older>"
    assert seen["overview"]["charts"] + seen["outcome_1"]["charts"] > 0  # the older run's figures are shown


def test_with_no_intact_run_the_pages_say_which_data_are_unavailable(demo_marts, tmp_path):
    only = publish_copy(demo_marts, tmp_path, NEWER, current=True)
    truncate(only / "fct_kpi_timeline.parquet")
    seen = visit_every_page(tmp_path)
    needing = []
    for page, s in seen.items():
        assert s["exceptions"] == [], (page, s["exceptions"])
        assert any("fct\\_kpi\\_timeline.parquet" in w for w in s["warnings"]), page
        if s["errors"]:
            assert any("fct_kpi_timeline.parquet in the published data cannot be read" in e for e in s["errors"])
            needing.append(page)
    assert "overview" in needing
    assert {"action_plan", "data_quality"} - set(needing)  # pages that do not need the file still work
    assert seen["action_plan"]["charts"] > 0


def test_with_nothing_readable_every_page_says_so(demo_marts, tmp_path):
    only = publish_copy(demo_marts, tmp_path, NEWER, current=True)
    (only / "manifest.json").write_bytes(b"\x00\xff not json")
    seen = visit_every_page(tmp_path)
    for page, s in seen.items():
        assert s["exceptions"] == [], (page, s["exceptions"])
        assert any("published data cannot be read (manifest.json" in e and "no earlier published run" in e
                   for e in s["errors"]), (page, s["errors"])
