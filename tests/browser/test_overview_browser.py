"""The Board overview in a real headless Chromium against the running app."""

from __future__ import annotations

import pytest

from tests.browser.server import REPO, browser, page_errors, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_overview_loads_with_kpis_and_no_errors(demo_marts):
    shots = REPO / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with streamlit_server(demo_marts) as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url)
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        assert page_errors(page) == []
        text = page.inner_text("[data-testid='stMain']")
        assert "Board overview" in text and "Data as at" in text
        for outcome in ("Outcome 1", "Outcome 2", "Outcome 3"):
            assert outcome in text
        # RAG is said in words, not by colour alone
        assert any(w in text for w in ("On target", "Near target", "Off target"))
        assert len(page.query_selector_all("[data-testid='stMetric']")) >= 9
        page.screenshot(path=str(shots / "overview-1366x768.png"))
        # Streamlit scrolls inside its own container: a tall window shows the whole page
        page.set_viewport_size({"width": 1366, "height": 2600})
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "overview.png"))
