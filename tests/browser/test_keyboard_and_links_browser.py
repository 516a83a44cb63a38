"""Keyboard alone (issue 12 item 7) and links that stay put (item 8), in the running app.

- The sidebar filters and the board-pack download are reached and used with Tab,
  arrow keys and Enter only.
- A link always carries its month, the newest one too, and keeps it from page to page.
- /overview, /board, /outcome1, /data_quality... reach the right page, with the query string,
  the first link opened after a restart too (dashboard/__main__.py).
"""

from __future__ import annotations

import re

import pytest

from dashboard.formatting import period_label
from tests.browser.layout import LAPTOP
from tests.browser.server import browser, page_errors, streamlit_server, wait_for_app
from tests.helpers import mart
from tools.screenshots import settle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# What has the focus: a selectbox's own input (not its help button), or a download button.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el) return {kind: '', label: ''};
  const select = el.closest('[data-testid="stSelectbox"]');
  if (select && el.tagName === 'INPUT') return {kind: 'stSelectbox', label: select.innerText.trim()};
  const button = el.closest('[data-testid="stDownloadButton"]');
  if (button) return {kind: 'stDownloadButton', label: button.innerText.trim()};
  return {kind: el.tagName, label: (el.innerText || '').trim()};
}"""


def tab_to(page, kind: str, label: str, most: int = 120) -> int:
    """Press Tab until the focus is on the `kind` element labelled `label`; the number of presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED_JS)
        if now["kind"] == kind and label in now["label"]:  # an icon's name may come first
            return presses
    raise AssertionError(f"{label!r} never took the focus in {most} presses of Tab")


def months(marts) -> list[str]:
    return sorted(mart(marts, "dim_periods", "is_complete")["period"], reverse=True)


def test_filters_and_board_pack_by_keyboard_alone(demo_marts):
    newest, previous = months(demo_marts)[:2]
    with streamlit_server(demo_marts) as url, browser() as b:
        page = b.new_page(viewport=LAPTOP, accept_downloads=True)
        page.goto(url)
        wait_for_app(page)
        settle(page)
        assert f"Figures for {period_label(newest)}" in page.inner_text("[data-testid='stMain']")
        # the month: Tab to it; the arrow key opens it on the next (older) month; Enter takes it
        tab_to(page, "stSelectbox", "Month")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => document.body.innerText.includes('Figures for {period_label(previous)}')",
                               timeout=60_000)
        settle(page)
        assert f"period={period_label(previous).replace(' ', '+')}" in page.url
        # the board pack for that month, by Tab and Enter
        page.locator("body").focus()
        tab_to(page, "stDownloadButton", "Download the board pack")
        with page.expect_download(timeout=120_000) as pack:
            page.keyboard.press("Enter")
        assert pack.value.suggested_filename.endswith(".html") and previous in pack.value.suggested_filename
        assert page_errors(page) == []

        # a page with more filters: the directorate, by keyboard
        page.goto(f"{url}/outcome-1")
        wait_for_app(page)
        settle(page)
        tab_to(page, "stSelectbox", "Directorate")
        page.keyboard.press("ArrowDown")  # from "All directorates" to the first directorate
        page.keyboard.press("Enter")
        page.wait_for_function("() => /Figures for [^,]+, [^.]+ directorate/.test(document.body.innerText)",
                               timeout=60_000)
        assert "directorate=" in page.url


def test_links_keep_their_month_and_aliases_reach_their_page(demo_marts):
    newest, _, older = months(demo_marts)[:3]
    heading = {"": "Board overview", "outcome-1": "Outcome 1", "data-quality": "Data quality",
               "channel-shift": "Channel shift", "kpi-catalogue": "KPI catalogue"}
    with streamlit_server(demo_marts) as url, browser() as b:
        page = b.new_page(viewport=LAPTOP)

        def visit(path: str) -> str:
            page.goto(f"{url}{path}")
            wait_for_app(page)
            settle(page)
            assert page_errors(page) == [], path
            assert "Page not found" not in page.inner_text("body"), path
            return page.url

        # The first link opened after a restart runs through app.py like every other (its menu,
        # its layout): Streamlit's old-style multipage mode would run pages/complaints.py alone.
        first = visit("/complaints")
        assert first.startswith(f"{url}/complaints")
        assert "Transformation Board" in page.inner_text("[data-testid='stSidebarNav']")
        assert page.locator(".st-key-open-access-banner").count() == 1
        # the newest month is in the link too: it will still open on this month next month
        assert f"period={period_label(newest).replace(' ', '+')}" in visit("/")
        assert f"period={period_label(older).replace(' ', '+')}" in visit(f"/outcome-2?period={older}")
        for alias, target in (("/overview", ""), ("/board", ""), ("/home", ""), ("/outcome1", "outcome-1"),
                              ("/outcome_1", "outcome-1"), ("/data_quality", "data-quality"),
                              ("/dataquality", "data-quality"), ("/dq", "data-quality"),
                              ("/channel_shift", "channel-shift"), ("/kpi_catalogue", "kpi-catalogue")):
            landed = visit(alias)
            assert re.match(rf"{re.escape(url)}/{target}(\?|$)", landed), (alias, landed)
            assert heading[target] in page.inner_text("[data-testid='stMain'] h1"), alias
        # an alias keeps the link's month and filters
        label = period_label(older).replace(" ", "+")
        landed = visit(f"/outcome1?period={label}&directorate=Place")
        assert landed.startswith(f"{url}/outcome-1?") and f"period={label}" in landed
        assert f"Figures for {period_label(older)}, Place directorate" in page.inner_text("[data-testid='stMain']")
        # the month carries over to the next page through the menu, and is in that page's link
        page.click(f'[data-testid="stSidebarNav"] a[href="{url}/outcome-3"]')
        wait_for_app(page)
        settle(page)
        assert f"period={label}" in page.url
        assert f"Figures for {period_label(older)}" in page.inner_text("[data-testid='stMain']")
