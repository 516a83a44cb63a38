"""The page frame's look, in one place: the dashboard's CSS (style.css), the KPI card
grid, folding the sidebar away on a tablet, and list semantics for Streamlit's page menu.

Streamlit has no setting for any of these: a compact header, a grid of equal cards
that fills its rows, a sidebar that starts folded below 1024 px (its own "auto" folds
it only at 768 px and below, so an 820 px tablet loses 300 px of its width to it).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from pathlib import Path

import streamlit as st

CSS = Path(__file__).with_name("style.css")

# Narrower than this (a tablet, either way up), the sidebar starts folded.
FOLD_SIDEBAR_BELOW_PX = 1024

# Cards a row, by the width the grid has (a card needs about 210 px for its figure and words).
CARDS_A_ROW = ((860, 4), (640, 3), (420, 2), (0, 1))
GRID_COLUMNS = 12  # 1, 2, 3 and 4 cards each divide a 12-column row


def apply() -> None:
    """The dashboard's CSS on this page (a style-only element takes no room on the page)."""
    st.html(CSS)


# Fold the sidebar once, on first opening, in a window narrower than FOLD_SIDEBAR_BELOW_PX.
# Streamlit remembers a reader's own choice in localStorage (stSidebarCollapsed-*): then it
# is left alone.
FOLD_SIDEBAR = f"""
(() => {{
  if (window.innerWidth >= {FOLD_SIDEBAR_BELOW_PX}) return;
  if (Object.keys(window.localStorage).some(k => k.startsWith("stSidebarCollapsed-"))) return;
  if (window.sessionStorage.getItem("cx-sidebar-folded")) return;
  let tries = 0;
  const fold = () => {{
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (button && button.getAttribute("aria-expanded") !== "false") {{
      window.sessionStorage.setItem("cx-sidebar-folded", "1");
      button.click();
    }} else if (tries++ < 40) {{
      setTimeout(fold, 50);
    }}
  }};
  fold();
}})();
"""

# Streamlit's sectioned page menu puts <div> and <header> elements straight inside its <ul>,
# so screen readers meet a broken list (axe: list, listitem). Until Streamlit fixes it, the
# menu's <ul> and <li> are marked role="none": the links stay in the menu's <nav> landmark
# under their section names, without list semantics that do not hold. Re-applied whenever
# Streamlit redraws the menu.
REPAIR_NAV_LIST = """
(() => {
  const repair = () => document.querySelectorAll(
      '[data-testid="stSidebarNavItems"], [data-testid="stSidebarNavItems"] li').forEach(el => {
    if (el.getAttribute("role") !== "none") el.setAttribute("role", "none");
  });
  repair();
  if (!window.cxNavObserver) {
    window.cxNavObserver = new MutationObserver(repair);
    window.cxNavObserver.observe(document.body, {childList: true, subtree: true});
  }
})();
"""


def sidebar_scripts() -> None:
    """The two scripts above, in an element that takes no room (style.css: .cx-no-room)."""
    st.sidebar.html(f'<span class="cx-no-room"></span><script>{FOLD_SIDEBAR}{REPAIR_NAV_LIST}</script>',
                    unsafe_allow_javascript=True)


def balanced_rows(n: int, most: int) -> list[int]:
    """Cards in each row: as few rows as `most` a row allows, sizes differing by one
    at most, fuller rows first (13 cards, 4 a row: 4 3 3 3, never 4 4 4 1)."""
    if n <= 0:
        return []
    rows = math.ceil(n / most)
    base, extra = divmod(n, rows)
    return [base + 1] * extra + [base] * (rows - extra)


def grid_css(selector: str, n: int) -> str:
    """Each card's span in the 12-column grid, for every width class of CARDS_A_ROW."""
    rules = []
    for i, (min_width, most) in enumerate(CARDS_A_ROW):
        sizes = balanced_rows(n, most)
        wider = sizes.count(sizes[0]) * sizes[0] if sizes else 0  # cards in the fuller rows
        spans = [f"{selector} > [data-testid='stLayoutWrapper']:nth-child(-n+{wider}) {{ grid-column: span {GRID_COLUMNS // sizes[0]}; }}"]
        if wider < n:
            spans.append(f"{selector} > [data-testid='stLayoutWrapper']:nth-child(n+{wider + 1}) {{ grid-column: span {GRID_COLUMNS // sizes[-1]}; }}")
        upper = CARDS_A_ROW[i - 1][0] if i else None
        query = (f"(min-width: {min_width}px)" if upper is None else
                 f"(min-width: {min_width}px) and (max-width: {upper - 0.02}px)")
        rules.append(f"@container {query} {{ {' '.join(spans)} }}")
    return "\n".join(rules)


@contextlib.contextmanager
def card_grid(ids: list[str]):
    """A grid for len(ids) KPI cards: equal heights in a row, every row full.
    `ids` (the cards' KPI ids) make the grid's key, unique on a page."""
    n = len(ids)
    key = f"kpi-grid-n{n}-{hashlib.sha1('|'.join(map(str, ids)).encode()).hexdigest()[:10]}"
    cells = f".st-key-{key} > [data-testid='stLayoutWrapper'] > [data-testid='stHorizontalBlock']"
    st.html(f"<style>{grid_css(cells, n)}</style>")
    with st.container(key=key), st.container(horizontal=True, gap="small"):
        yield
