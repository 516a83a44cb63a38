"""The Board overview page in Streamlit's AppTest, on the demo marts."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.formatting import RAG

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=120)


def test_overview_shows_each_outcome_with_headline_kpis(marts_env):
    at = app().run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert [h[:9] for h in headers] == ["Outcome 1", "Outcome 2", "Outcome 3", "Since las"]
    labels = [m.label for m in at.metric]
    catalogue = data.kpi_catalogue(data.current_run())
    assert set(labels) == set(catalogue[catalogue["headline"]]["name"])
    # each card says its status in words (RAG never by colour alone)
    words = {r["label"] for r in RAG.values()}
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == len(labels)
    assert all(any(w in b for w in words) for b in badges)
    assert any("Data as at" in c.value for c in at.caption)


def test_overview_for_every_month(marts_env):
    run = data.current_run()
    periods = data.complete_periods(run)
    assert len(periods) >= 6
    at = app().run()
    for period in periods:
        at.sidebar.selectbox(key="period").set_value(period).run()
        assert not at.exception, period
        assert len(at.metric) >= 9


def test_no_data_published_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(tmp_path))
    at = app().run()
    assert not at.exception
    assert "No data has been published yet" in at.info[0].value
