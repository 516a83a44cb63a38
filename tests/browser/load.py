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

# Loaded: Streamlit says the page's script has run to the end (stApp's script
# state goes initial -> running -> notRunning; counting elements alone can call a
# page ready while its script is still sending charts), content is on the page
# and no placeholder skeleton is left.
READY_JS = ("() => document.querySelector('[data-testid=\"stApp\"][data-test-script-state=\"notRunning\"]')"
            " && document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 20"
            " && !document.querySelector('[data-testid=\"stSkeleton\"]')")
ERRORS_JS = ("() => Array.from(document.querySelectorAll("
             "'[data-testid=\"stException\"], [data-testid=\"stAlertContentError\"]')).map(e => e.innerText)")


def server_process(port: str) -> psutil.Process:
    """The `streamlit run` child serving on this port."""
    for p in psutil.Process().children(recursive=True):
        try:
            if "streamlit" in " ".join(p.cmdline()) and port in p.cmdline():
                return p
        except psutil.Error:
            continue
    raise RuntimeError(f"no streamlit server on port {port}")


async def _session(browser, url: str, deadline: float, loads: list, errors: list, index: int) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    paths = [p.url_path for p in app_pages()]
    i = index  # sessions start on different pages
    try:
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            started = time.monotonic()
            try:
                await page.goto(f"{url}/{path}", wait_until="domcontentloaded", timeout=120_000)
                await page.wait_for_function(READY_JS, timeout=120_000, polling=100)
            except Exception as e:  # a timeout or a dropped connection is an error under load
                errors.append(f"{path or '/'}: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
                continue
            loads.append((path, time.monotonic() - started))
            rendered = await page.evaluate(ERRORS_JS)
            errors.extend(f"{path or '/'}: {text[:200]}" for text in rendered)
    finally:
        await context.close()


async def _run(url: str, sessions: int, seconds: float, server: psutil.Process) -> dict:
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
            await asyncio.gather(sample(), *(_session(browser, url, deadline, loads, errors, i)
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
        raw = asyncio.run(_run(url, sessions, seconds, server))
    return summarise(raw, sessions, seconds)
