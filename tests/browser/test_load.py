"""Twenty people using the dashboard at once: the running app on the demo marts,
20 concurrent headless Chromium sessions each cycling through every page app.py
registers for two minutes (`make bench` runs the same on the borough-scale marts).

Marked `load` (and `slow`): `make test` runs it; `-m "not load"` leaves it out
while iterating. CX_LOAD_SECONDS / CX_LOAD_SESSIONS shorten it locally.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.browser.app_pages import app_pages
from tests.browser.load import MAX_SLOPE_MB_PER_MIN, load_test
from tests.browser.server import REPO

pytestmark = [pytest.mark.browser, pytest.mark.load, pytest.mark.slow, pytest.mark.xdist_group("load")]

SESSIONS = int(os.environ.get("CX_LOAD_SESSIONS", 20))
SECONDS = float(os.environ.get("CX_LOAD_SECONDS", 120))


def test_twenty_sessions_on_every_page_without_errors_or_memory_growth(demo_marts):
    result = load_test(demo_marts, sessions=SESSIONS, seconds=SECONDS)
    out = REPO / "build" / "load-demo.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{result['page_loads']} page loads by {SESSIONS} sessions in {SECONDS:.0f} s: "
          f"p50 {result['p50_s']:.2f} s, p95 {result['p95_s']:.2f} s, max {result['max_s']:.2f} s; "
          f"server RSS {result['rss_start_mb']:.0f} -> {result['rss_end_mb']:.0f} MB "
          f"(second half {result['rss_slope_mb_per_min']:+.1f} MB/min); {out}")

    # no page showed a Streamlit exception or error, and every load completed (no timeout)
    assert result["errors"] == 0, result["error_samples"]
    # every page was opened under load (sessions start on different pages), and every
    # session got at least one page in the time
    pages = [p.label for p in app_pages()]
    assert all(result["by_page"][p]["loads"] >= 1 for p in pages), result["by_page"]
    assert result["page_loads"] >= SESSIONS
    # memory stable once the caches are warm: no growth trend over the second half
    assert result["rss_slope_mb_per_min"] < MAX_SLOPE_MB_PER_MIN, result
    assert result["memory_stable"], result
