"""The board pack: one self-contained HTML file of the overview and the three
outcome pages for a chosen month, with the published figures."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from dashboard import board_pack, data
from dashboard.formatting import period_label
from tests.helpers import figure_as_shown, mart
from tests.pages import download_keys, open_page


class Fetches(HTMLParser):
    """Every reference a browser would fetch: scripts, styles, images, frames, fonts."""

    def __init__(self):
        super().__init__()
        self.fetched: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for attr in ("src", "srcset", "data", "poster"):
            if a.get(attr):
                self.fetched.append(f"{tag} {attr}={a[attr]}")
        if tag == "link" and a.get("href"):
            self.fetched.append(f"link href={a['href']}")
        if a.get("style") and "url(" in a["style"]:
            self.fetched.append(f"{tag} style={a['style']}")


def periods(marts) -> list[str]:
    return sorted(mart(marts, "dim_periods", "is_complete")["period"])


@pytest.mark.parametrize("which", [-1, 2])
def test_pack_is_self_contained_with_each_outcomes_kpis_for_the_month(marts_env, which):
    run = data.current_run()
    period = periods(marts_env)[which]
    html = board_pack.render(run, period)
    parser = Fetches()
    parser.feed(html)
    assert parser.scripts == 0 and parser.fetched == []
    assert not re.search(r"url\(|@import|https?://", html, re.I)
    assert f"Figures for <strong>{period_label(period)}</strong>" in html
    values = board_pack.values_by_kpi(html)
    cat = mart(marts_env, "dim_kpi")
    published = mart(marts_env, "kpi_values", "breakdown = ''")
    for outcome in (1, 2, 3):
        kpis = cat[cat["outcome"] == outcome]
        section = values[f"outcome-{outcome}"]
        assert set(section) == set(kpis["kpi_id"]), outcome
        for k in kpis.itertuples():
            if k.kpi_id.startswith("survey."):
                continue
            # the month's figure, or the KPI's latest before it (its month is printed beside it)
            rows = published[(published["kpi_id"] == k.kpi_id) & (published["period"] <= period)]
            expected = "–" if rows.empty else figure_as_shown(marts_env, k.kpi_id,
                                                               rows.sort_values("period")["period"].iloc[-1])
            assert section[k.kpi_id] == expected, (outcome, k.kpi_id)
    # the overview section: the headline KPIs
    assert set(values["overview"]) == set(cat[cat["headline"]]["kpi_id"])
    # survey figures are the latest wave fielded by the month
    latest_wave = mart(marts_env, "kpi_values", "kpi_id = 'survey.staff_helpful_polite' AND breakdown = '' "
                       "AND value IS NOT NULL")
    wave = latest_wave[latest_wave["period"] <= period]
    expected = figure_as_shown(marts_env, "survey.staff_helpful_polite",
                               wave.sort_values("period")["period"].iloc[-1]) if len(wave) else "–"
    assert values["outcome-3"]["survey.staff_helpful_polite"] == expected
    # survey figures: the significance test's words, no arrow for noise
    change = mart(marts_env, "fct_survey_change", "kpi_id = 'survey.txn_easy' AND breakdown = '' AND period <= ?",
                  [period]).sort_values("period").iloc[-1]
    row = re.search(r'<tr data-kpi="survey.txn_easy">(.*?)</tr>', html).group(1)
    assert change["change_words"][:1].upper() + change["change_words"][1:] in row
    if not change["significant"]:
        assert "↑" not in row and "↓" not in row
    # status in words too, never colour alone; charts drawn inline with a text alternative
    assert "On target" in html or "Off target" in html or "Near target" in html
    assert "<svg" in html and "<title>" in html


def test_overview_offers_the_pack_for_the_chosen_month(marts_env):
    period = periods(marts_env)[4]
    at = open_page("overview", period=period_label(period))
    assert "dl-board-pack" in download_keys(at) or "board-pack" in download_keys(at)
    button = [d for d in at.get("download_button") if d.key in ("board-pack", "dl-board-pack")][0]
    assert button.proto.label.startswith("Download the board pack")
