"""The Voice of the customer and Equality pages in a real headless Chromium on the demo marts."""

from __future__ import annotations

import pytest

from tests.browser.server import REPO, browser, page_errors, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_voice_of_the_customer_and_equality_pages_load(demo_marts):
    shots = REPO / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with streamlit_server(demo_marts) as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/voice-of-the-customer?survey=Business+survey")
        wait_for_app(page)
        page.wait_for_selector("text=One question in depth", timeout=60_000)
        page.get_by_text("Compare groups by").wait_for(timeout=60_000)
        assert page_errors(page) == []
        text = " ".join(page.inner_text("[data-testid='stMain']").split())
        for words in ("Business survey: latest results", "95% interval", "effective base", "How each wave was weighted",
                      "Weighting efficiency"):
            assert words in text, words
        page.screenshot(path=str(shots / "voice-of-the-customer-business.png"))

        page.goto(f"{url}/equality")
        wait_for_app(page)
        page.wait_for_selector("text=still reach us without going online", timeout=60_000)
        assert page_errors(page) == []
        text = page.inner_text("[data-testid='stMain']")
        assert "Groups significantly below the borough" in text and "significantly below the borough" in text
        page.screenshot(path=str(shots / "equality.png"))
