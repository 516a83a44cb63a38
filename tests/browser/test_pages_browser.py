"""Every page of the running app in a real headless Chromium: no Streamlit
exception or error, the page's heading and "data as at" shown, charts drawn;
and a shared link (query parameters) opens on the same view."""

from __future__ import annotations

import pytest

from tests.browser.server import browser, page_errors, streamlit_server, wait_for_app
from tools.screenshots import PAGES, settle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HEADINGS = {
    "": "Board overview",
    "outcome-1": "Outcome 1: council services are easily accessible and inclusive",
    "outcome-2": "Outcome 2: feedback, data, technology and innovation improve services",
    "outcome-3": "Outcome 3: a customer-focused culture delivers an excellent customer experience",
    "action-plan": "Action plan",
    "channel-shift": "Channel shift",
    "complaints": "Complaints",
    "voice-of-the-customer": "Voice of the customer",
    "kpi-catalogue": "KPI catalogue",
    "methodology": "Methodology: how these statistics are made",
    "equality": "Equality: does the strategy serve every group?",
    "data-quality": "Data quality",
}


def test_every_page_opens_without_errors(demo_marts):
    assert set(HEADINGS) == set(PAGES)
    with streamlit_server(demo_marts) as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        for path, heading in HEADINGS.items():
            page.goto(f"{url}/{path}")
            wait_for_app(page)
            settle(page)
            assert page_errors(page) == [], path
            h1 = page.inner_text("[data-testid='stMain'] h1")
            assert heading in h1, (path, h1)
            assert "Data as at" in page.inner_text("[data-testid='stMain']"), path
        # a shared link: the month and directorate come from the URL
        page.goto(f"{url}/outcome-1?period=January+2025&directorate=Place")
        wait_for_app(page)
        settle(page)
        assert page_errors(page) == []
        text = page.inner_text("[data-testid='stMain']")
        assert "Figures for January 2025, Place directorate" in text
