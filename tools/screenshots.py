"""Screenshot every page of the running app in headless Chromium (`make screenshots`).

    python -m tools.screenshots [--marts-dir data/marts] [--out build/screenshots]

Board members judge by what they see: open the PNGs after every change to a page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.browser.server import REPO, browser, page_errors, streamlit_server, wait_for_app

# url path -> file stem; the overview is the default page at "/"
PAGES = {
    "": "overview",
    "outcome-1": "outcome-1",
    "outcome-2": "outcome-2",
    "outcome-3": "outcome-3",
    "action-plan": "action-plan",
    "channel-shift": "channel-shift",
    "complaints": "complaints",
    "voice-of-the-customer": "voice-of-the-customer",
    "kpi-catalogue": "kpi-catalogue",
    "methodology": "methodology",
    "equality": "equality",
    "data-quality": "data-quality",
}


def settled_height(page, tries: int = 20) -> int:
    """The page's full height once it stops growing (a long page keeps rendering charts
    after Streamlit's status widget has gone)."""
    js = "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    height = page.evaluate(js)
    for _ in range(tries):
        page.wait_for_timeout(500)
        now = page.evaluate(js)
        if now == height:
            break
        height = now
    return int(height)
SETTLED_JS = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
              " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
              " && Array.from(document.querySelectorAll('[data-testid=\"stPlotlyChart\"]'))"
              "      .every(c => c.querySelector('.main-svg'))")


def settle(page, timeout_ms: int = 180_000) -> None:
    """Wait until the script has finished and every chart is drawn (twice, a second
    apart: a page that reruns briefly looks finished between runs)."""
    for _ in range(2):
        page.wait_for_function(SETTLED_JS, timeout=timeout_ms, polling=200)
        page.wait_for_timeout(1000)
    page.wait_for_function(SETTLED_JS, timeout=timeout_ms, polling=200)


def take(marts_dir: Path, out: Path, pages: dict[str, str] = PAGES, width: int = 1366) -> dict[str, list[str]]:
    out.mkdir(parents=True, exist_ok=True)
    errors = {}
    with streamlit_server(marts_dir) as url, browser() as b:
        page = b.new_page(viewport={"width": width, "height": 900})
        for path, stem in pages.items():
            page.goto(f"{url}/{path}")
            wait_for_app(page)
            settle(page)
            errors[stem] = page_errors(page)
            height = settled_height(page)
            page.set_viewport_size({"width": width, "height": min(int(height) + 150, 12000)})
            page.wait_for_timeout(600)
            page.screenshot(path=str(out / f"{stem}.png"))
            page.set_viewport_size({"width": width, "height": 900})
    return errors


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--marts-dir", type=Path, default=REPO / "data" / "marts")
    p.add_argument("--out", type=Path, default=REPO / "build" / "screenshots")
    p.add_argument("--width", type=int, default=1366)
    args = p.parse_args()
    for stem, errs in take(args.marts_dir, args.out, width=args.width).items():
        print(f"{stem}: {'OK' if not errs else errs}")


if __name__ == "__main__":
    main()
