"""KPI cards in a real headless Chromium: the project's own sparkline with a text alternative
(st.metric's chart had none), variation and assurance in words beside their icons, no arrow on a
monthly card, and 'since last period' links that open the measure's chart on its outcome page."""

from __future__ import annotations

import re

import pytest

from tests.browser.server import browser, page_errors, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_cards_have_text_alternatives_and_words_and_links_reach_the_chart(demo_marts):
    with streamlit_server(demo_marts) as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url)
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        # every headline card drawn (the page renders in pieces)
        page.wait_for_function("() => document.querySelectorAll('svg.spark').length >= 9", timeout=120_000)
        page.wait_for_timeout(1000)
        assert page_errors(page) == []
        sparks = page.query_selector_all("svg.spark")
        assert len(sparks) >= 9
        for s in sparks:  # every chart-like image says what it shows
            assert s.get_attribute("role") == "img"
            assert re.match(r"Last \d+ (months|waves): from .+ to .+", s.get_attribute("aria-label") or "")
        text = page.inner_text("[data-testid='stMain']")
        assert "Common cause" in text or "Special cause" in text
        assert "All " in text and "measures of this outcome" in text
        # the icons beside the words are hidden from screen readers (the words say it)
        icons = page.query_selector_all("[data-testid='stMain'] svg[aria-hidden='true'] text")
        assert icons
        # a 'since last period' link opens the outcome page at the measure's chart, for the month shown
        link = page.query_selector("[data-testid='stMain'] a[href*='#'][href*='period=']")
        if link is None:  # the expander of earlier months
            page.get_by_text(re.compile(r"^Earlier: ")).first.click()
            link = page.wait_for_selector("[data-testid='stMain'] a[href*='#'][href*='period=']")
        href = link.get_attribute("href")
        anchor = href.rsplit("#", 1)[1]
        page.goto(f"{url}/{href.lstrip('./')}")
        wait_for_app(page)
        page.wait_for_selector(f"[id='{anchor}']", timeout=120_000)
        assert page_errors(page) == []
