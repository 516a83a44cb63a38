"""The dashboard under load: N concurrent headless Chromium sessions (one browser,
a context each), each opening every page app.py registers in turn for a fixed
time, against one real Streamlit server.

Used by tests/browser/test_load.py (demo marts, in `make test`) and by `make bench`
(borough-scale marts). Reports every page load's time, any exception or error
Streamlit rendered, loads that never completed, and the server's resident memory
sampled every second, with its trend over the second half of the run (a leak
shows as a steady climb once the caches have filled).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import psutil

from tests.browser.app_pages import app_pages
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

MAX_SLOPE_MB_PER_MIN = 20

ERRORS_JS = ("() => Array.from(document.querySelectorAll("
             "'[data-testid=\"stException\"], [data-testid=\"stAlertContentError\"]')).map(e => e.innerText)")


def server_process(port: str) -> psutil.Process:
    """The dashboard's server child (`python -m dashboard`, or `streamlit run`) serving on this port."""
    for p in psutil.Process().children(recursive=True):
        try:
            command = " ".join(p.cmdline())
            if ("streamlit" in command or "-m dashboard" in command) and port in p.cmdline():
                return p
        except psutil.Error:
            continue
    raise RuntimeError(f"no streamlit server on port {port}")


# Counts the page runs Streamlit finishes in this document (stApp's script state
# going from running to notRunning), so a click on the sidebar waits for the run
# it caused and not the state left over from the page before.
RUN_COUNTER_JS = """
window.__cxRuns = 0;
new MutationObserver(records => {
  for (const r of records) {
    if (r.oldValue !== 'notRunning' && r.target.getAttribute('data-test-script-state') === 'notRunning') {
      window.__cxRuns += 1;
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
CONTENT_JS = ("document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20"
              " && !document.querySelector('[data-testid=\"stSkeleton\"]')")
DIALOGS_JS = "() => Array.from(document.querySelectorAll('[role=\"dialog\"]')).map(e => e.innerText)"
RAMP_UP_S = 10  # all sessions have started by then (or by a tenth of the run)
LOAD_TIMEOUT_MS = 240_000  # one page load; longer counts as an error (a page that never came)


async def _open(page, url: str, path: str) -> None:
    """Open a page as a user does: the first of a visit by its address (a new
    Streamlit session), the rest by the sidebar (the same session, as people browse)."""
    link = page.locator(f'[data-testid="stSidebarNav"] a[href="{url}/{path}"]')
    if page.url.startswith(url) and await link.count() == 1 and await link.is_visible():
        before = await page.evaluate("() => window.__cxRuns")
        await link.click(timeout=LOAD_TIMEOUT_MS)
        await page.wait_for_function(
            f"() => window.__cxRuns > {before} && location.pathname === '/{path}' && {CONTENT_JS}",
            timeout=LOAD_TIMEOUT_MS, polling=100)
    else:
        await page.goto(f"{url}/{path}", wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_MS)
        await page.wait_for_function(f"() => window.__cxRuns > 0 && {CONTENT_JS}",
                                     timeout=LOAD_TIMEOUT_MS, polling=100)


async def _session(browser, url: str, deadline: float, loads: list, errors: list, index: int,
                   delay: float = 0.0, pages_to_visit: int | None = None) -> None:
    """One person: opens the app on a page (sessions start on different pages),
    then goes through every other page by the sidebar, then starts a new visit.
    `delay`: people arrive over the first seconds, not all in the same millisecond."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    await context.add_init_script(RUN_COUNTER_JS)
    page = await context.new_page()
    paths = [p.url_path for p in app_pages()]
    i = index
    try:
        while time.monotonic() < deadline and (pages_to_visit is None or i - index < pages_to_visit):
            path = paths[i % len(paths)]
            if (i - index) % len(paths) == 0:
                await page.goto("about:blank")  # a new visit: the next page is opened by address
            i += 1
            started = time.monotonic()
            try:
                await _open(page, url, path)
            except Exception as e:  # a timeout or a dropped connection is an error under load
                errors.append(f"{path or '/'}: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
                continue
            loads.append((path, time.monotonic() - started))
            rendered = await page.evaluate(ERRORS_JS)
            errors.extend(f"{path or '/'}: {text[:200]}" for text in rendered)
            # Streamlit's own modal (e.g. "Page not found") is an error a user sees; it also
            # makes the sidebar inert, so close it before going on.
            for dialog in await page.evaluate(DIALOGS_JS):
                errors.append(f"{path or '/'}: dialog: {' '.join(dialog.split())[:200]}")
                await page.keyboard.press("Escape")
    finally:
        await context.close()


async def _run(url: str, sessions: int, seconds: float, server: psutil.Process, warm_up: bool = False) -> dict:
    from playwright.async_api import async_playwright

    loads: list[tuple[str, float]] = []
    errors: list[str] = []
    rss: list[tuple[float, float]] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = time.monotonic()
        deadline = started + seconds

        async def sample() -> None:
            while time.monotonic() < deadline:
                rss.append((time.monotonic() - started, server.memory_info().rss / 2**20))
                await asyncio.sleep(1)

        try:
            if warm_up:  # one session, every page once, nothing measured
                await _session(browser, url, float("inf"), loads, errors, 0, pages_to_visit=len(app_pages()))
                return {"loads": loads, "errors": errors, "rss": rss}
            ramp = min(RAMP_UP_S, seconds / 10) / max(sessions, 1)
            await asyncio.gather(sample(), *(_session(browser, url, deadline, loads, errors, i, delay=i * ramp)
                                            for i in range(sessions)))
        finally:
            await browser.close()
    return {"loads": loads, "errors": errors, "rss": rss}


def summarise(raw: dict, sessions: int, seconds: float) -> dict:
    times = np.array([t for _, t in raw["loads"]]) if raw["loads"] else np.array([np.nan])
    rss = np.array(raw["rss"])
    half = rss[len(rss) // 2:]
    slope = float(np.polyfit(half[:, 0], half[:, 1], 1)[0] * 60) if len(half) > 2 else 0.0
    start_mb, mid_mb, end_mb = float(rss[0, 1]), float(half[0, 1]), float(rss[-1, 1])
    by_page = {}
    for page in app_pages():
        t = [x for p, x in raw["loads"] if p == page.url_path]
        by_page[page.label] = ({"loads": len(t), "p50_s": round(float(np.percentile(t, 50)), 2),
                                "p95_s": round(float(np.percentile(t, 95)), 2)} if t else {"loads": 0})
    return {
        "sessions": sessions, "seconds": seconds, "page_loads": len(raw["loads"]),
        "p50_s": round(float(np.nanpercentile(times, 50)), 2), "p95_s": round(float(np.nanpercentile(times, 95)), 2),
        "max_s": round(float(np.nanmax(times)), 2), "by_page": by_page,
        "errors": len(raw["errors"]), "error_samples": raw["errors"][:10],
        "rss_start_mb": round(start_mb, 1), "rss_mid_mb": round(mid_mb, 1), "rss_end_mb": round(end_mb, 1),
        "rss_peak_mb": round(float(rss[:, 1].max()), 1), "rss_slope_mb_per_min": round(slope, 2),
        # Stable: over the second half (caches warm) memory does not climb by more
        # than 10% (+10 MB) of the mid-run figure, nor trend up faster than
        # MAX_SLOPE_MB_PER_MIN (a leak of a few MB per page view would).
        "memory_stable": bool(end_mb <= mid_mb * 1.10 + 10 and slope < MAX_SLOPE_MB_PER_MIN),
        "memory_rule": f"second half: end <= 1.1 x mid + 10 MB and slope < {MAX_SLOPE_MB_PER_MIN} MB/min",
    }


def load_test(marts: Path, sessions: int = 20, seconds: float = 120) -> dict:
    with streamlit_server(marts) as url:
        server = server_process(url.rsplit(":", 1)[1])
        # One visit to every page first, so the trend measured is the steady state
        # under load, not the caches filling as pages are first met.
        asyncio.run(_run(url, 1, 0.0, server, warm_up=True))
        raw = asyncio.run(_run(url, sessions, seconds, server))
    return summarise(raw, sessions, seconds)
