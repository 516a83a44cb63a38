"""What a reader sees in the browser, measured in the page itself: what is above the
fold, anything wider than the window, text cut off inside a KPI card, the sidebar's
state, and the axe-core accessibility scan (WCAG 2.2 A and AA, and heading order)."""

from __future__ import annotations

from dataclasses import dataclass

# The two screens the council's Board uses: a 1366x768 laptop leaves about 650 px of
# height to the page in a browser; an 820x1180 tablet held upright.
LAPTOP = {"width": 1366, "height": 650}
TABLET = {"width": 820, "height": 1180}

FOLD_JS = """() => {
  const seen = el => { if (!el) return null; const r = el.getBoundingClientRect();
                       return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, text: el.innerText}; };
  const main = document.querySelector('[data-testid="stMain"]');
  const asAt = Array.from(main.querySelectorAll('[data-testid="stCaptionContainer"]'))
                    .find(c => c.innerText.includes('Data as at'));
  const scroller = document.querySelector('[data-testid="stAppScrollToBottomContainer"]')
                   || document.scrollingElement;
  return {width: window.innerWidth, height: window.innerHeight, scrolled: scroller.scrollTop,
          title: seen(main.querySelector('h1')), asAt: seen(asAt),
          value: seen(main.querySelector('[data-testid="stMetricValue"]'))};
}"""

# Elements that reach beyond the window's right edge (or the page scrolling sideways): a
# table cut off, a chart too wide. The folded sidebar waits off the left edge by design, and
# a data grid scrolls inside its own frame, so those are left out.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const folded = sidebar && sidebar.getBoundingClientRect().right <= 1;
  // st.dataframe is a grid that scrolls sideways inside its own frame (its scroller is as wide as
  // every column); the frame itself must fit, which the check on the frame sees.
  const clippedInside = (el, width) => {
    const grid = el.closest('[data-testid="stDataFrame"]');
    return grid !== null && grid !== el && grid.getBoundingClientRect().right <= width + 1;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (folded && sidebar.contains(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 1 && !clippedInside(el, width)) {
      out.push(`${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') || el.className || ''}]`
               + ` right=${Math.round(r.right)}: ${(el.innerText || '').slice(0, 40)}`);
    }
  }
  return {pageWidth: document.documentElement.scrollWidth, width, wide: out.slice(0, 20)};
}"""

# Text in a KPI card that is cut off: ellipsis or hidden overflow, or reaching outside the card.
CLIPPED_JS = """() => {
  const cards = document.querySelectorAll(
    '[class*="st-key-kpi-grid-"] > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]'
    + ' > [data-testid="stLayoutWrapper"] > [data-testid="stVerticalBlock"]');
  const out = [];
  for (const card of cards) {
    const box = card.getBoundingClientRect();
    for (const el of card.querySelectorAll('*')) {
      const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible' || el.getClientRects().length === 0) continue;
      if (el.closest('[data-testid="stMetricLabel"]')) continue;  // collapsed: the name is above it as text
      const r = el.getBoundingClientRect();
      const cut = el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible';
      const outside = r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1;
      if (cut || outside) out.push(el.innerText.trim().slice(0, 60));
    }
  }
  return {cards: cards.length, clipped: out};
}"""

SIDEBAR_JS = """() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const r = sidebar.getBoundingClientRect();
  return {open: r.right > 1 && r.width > 1, right: r.right,
          expandButton: !!document.querySelector('[data-testid="stExpandSidebarButton"]')};
}"""

# WCAG 2.2 A and AA, and heading order (axe files it under best practice; the issue asks for it).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "rules": {"heading-order": {"enabled": True}}}


@dataclass(frozen=True)
class Upstream:
    """A violation raised by Streamlit's own component, not by anything the project draws:
    allowed only where every node matches `marker`, and listed in the README."""
    rule: str
    marker: str
    component: str
    issue: str


# Keep in step with README "Accessibility".
STREAMLIT_OWNED = (
    Upstream("svg-img-alt", "metric_chart", "st.metric's sparkline (chart_data) has no text alternative",
             "streamlit/streamlit#8563"),
)


def project_violations(violations: list[dict]) -> list[str]:
    """The axe violations the project owns: all but those STREAMLIT_OWNED explains, node by node."""
    out = []
    for v in violations:
        known = [u for u in STREAMLIT_OWNED if u.rule == v["id"]]
        for node in v["nodes"]:
            where = node.get("html", "") + " " + " ".join(map(str, node.get("target", [])))
            if not any(u.marker in where for u in known):
                out.append(f"{v['id']} ({v['impact']}): {node.get('html', '')[:160]} — {v['help']}")
    return out


def scan(page) -> list[dict]:
    """axe-core's violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response["violations"]
