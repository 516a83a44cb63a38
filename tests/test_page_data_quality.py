"""The data-quality page in AppTest on the demo marts, which carry planted faults."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import data

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def open_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("pages/data_quality.py")
    return at.run()


def test_page_shows_freshness_checks_quarantine_refusals_and_runs(marts_env):
    at = open_page()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Freshness by source", "Checks, as last run for each source",
                                              "Rows quarantined by each run", "Rows held back", "Refused files",
                                              "Run history"]
    labels = [e.label for e in at.expander]
    assert any("Telephony calls" in label and "failed" in label for label in labels)
    assert any("refused file(s)" in label for label in labels)
    run = data.current_run()
    q = data.dq_held_back(run)
    assert len(q) > 0 and not q["record"].str.contains(r"[0-9a-f]{16,}").any()


def test_every_filter_value(marts_env):
    at = open_page()
    for source in at.selectbox(key="dq_source").options:
        for status in at.selectbox(key="dq_status").options:
            at.selectbox(key="dq_source").select(source)
            at.selectbox(key="dq_status").select(status)
            at.run()
            assert not at.exception, (source, status)


def test_overview_status_line_links_here(marts_env):
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    links = [p for p in at.get("page_link")]
    assert any("Data quality" in p.proto.label for p in links)
    assert isinstance(data.dq_freshness(data.current_run()), pd.DataFrame)
