"""The data-quality page in a real headless Chromium on demo marts with planted faults."""

from __future__ import annotations

import pytest

from tests.browser.server import REPO, browser, page_errors, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_data_quality_page_loads_and_shows_the_faults(demo_marts):
    shots = REPO / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with streamlit_server(demo_marts) as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/data-quality")
        wait_for_app(page)
        page.wait_for_selector("text=Refused files", timeout=60_000)
        assert page_errors(page) == []
        text = page.inner_text("[data-testid='stMain']")
        for heading in ("Freshness by source", "Checks, as last run for each source", "Quarantined rows",
                        "Run history"):
            assert heading in text
        assert "refused file(s)" in text and "failed" in text
        page.set_viewport_size({"width": 1366, "height": 3000})
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "data-quality.png"))
