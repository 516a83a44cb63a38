"""Owners' commentary (kpi_commentary, data contract s2) from a CSV in the landing
zone to the marts, the KPI card, the KPI's chart and the board pack; provisional
flags from a source whose records stop part-way through the month.

One copy of the session's demo landing zone and warehouse gets two hand-made
commentary files (the second correcting the first) and a training extract cut
short on the 13th; one incremental run processes only those.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import board_pack, data
from dashboard.formatting import period_label
from tests.helpers import mart, run_pipeline
from tests.pages import open_page, texts

HEADER = ["kpi_id", "period", "owner_role", "text", "written_on"]
ROLE = "Director of Customer Services"
GOOD = "Digital take-up is behind plan because the new parking permit form went live late; it opens on Monday."
CORRECTED = "Take-up is behind plan: the parking permit form went live on 22 September; numbers rose that week."
# passes every check (no HTML tag, no link), but is markdown that must be shown literally
MARKDOWN = "Calls < 60 s rose; **not** good :red[alarm] $x^2$ _see_ #1 > expected & ~~struck~~"
EXACTLY_1000 = ("Demand rose. " * 77)[:999] + "."
HOSTILE = {  # text -> the check that must hold the row back
    "Residents can write to ana.smith@towerhamlets.gov.uk for help.": "text_holds_no_email",
    "Call the team on 020 7364 5000 if it happens again.": "text_holds_no_phone_number",
    "One resident (+44 7700 900123) waited an hour.": "text_holds_no_phone_number",
    "Mr Hussain complained twice about the delay.": "text_names_no_one",
    "The complainant at E1 4DQ has been contacted.": "text_holds_no_address_or_id",
    "<script>alert('x')</script>Better next month.": "text_is_plain",
    "See [the plan](https://example.org/plan) for details.": "text_is_plain",
    "<img src=x onerror=alert(1)> improving": "text_is_plain",
    "x" * 1001: "text_at_most_1000_characters",
}


def unescaped(markdown: str) -> str:
    """What a reader sees of backslash-escaped markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def write(path: Path, rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)


@pytest.fixture(scope="module")
def env(demo_env, tmp_path_factory):
    raw0, marts0, state0 = demo_env
    root = tmp_path_factory.mktemp("commentary")
    raw, marts, state = root / "raw", root / "marts", root / "state"
    shutil.copytree(raw0, raw)
    shutil.copytree(state0, state, ignore=shutil.ignore_patterns("*.lock", "duckdb_tmp"))
    latest = max(mart(marts0, "dim_periods", "is_complete")["period"])
    waves = mart(marts0, "kpi_values", "kpi_id = 'survey.access_easy' AND breakdown = '' AND value IS NOT NULL")
    wave = max(waves["period"])
    day = f"{latest}-28"
    rows = [
        ["digital_share", latest, ROLE, GOOD, day],
        ["calls_answered_60s_rate", latest, "Head of Customer Service", MARKDOWN, day],
        ["call_abandon_rate", latest, "Head of Customer Service", EXACTLY_1000, day],
        ["survey.access_easy", wave, "Head of Customer Insight", "The wave was fielded during the move to the hubs.", day],
        # rule breakers, each on its own key
        ["not_a_kpi", latest, ROLE, "Fine text.", day],
        ["cost_per_contact_gbp", "Autumn 2025", ROLE, "A wave label on a monthly KPI.", day],
        ["contacts_total", f"{latest[:4]}-13", ROLE, "No such month.", day],
        ["hub_visits", latest, "Priya Shah", "A person's name as the owner.", day],
        ["online_completion_rate", latest, ROLE, "Written in the future.", "2099-01-01"],
        ["self_service_share", latest, ROLE, "", day],
    ]
    hostile_kpis = ["complaints_received", "complaints_upheld_rate", "stage2_on_time_rate", "calls_offered",
                    "avg_speed_of_answer_s", "complaints_escalation_rate", "assisted_digital_rate",
                    "unit_cost_gbp", "cost_of_contact_gbp"]
    for kpi_id, text in zip(hostile_kpis, HOSTILE, strict=True):
        rows.append([kpi_id, latest, ROLE, text, day])
    write(raw / "kpi_commentary" / "zz_commentary_a.csv", rows)
    write(raw / "kpi_commentary" / "zz_commentary_b.csv", [["digital_share", latest, ROLE, CORRECTED, day]])
    # training records that stop on the 13th of the latest month: its staff-trained figure is provisional
    training = sorted((raw / "staff_training").glob(f"*{latest}*"))
    assert training
    for path in training:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df[df["completed_on"] <= f"{latest}-13"].to_csv(path, index=False)
    assert run_pipeline(raw, marts, state) == 0
    return {"raw": raw, "marts": marts, "latest": latest, "wave": wave, "hostile_kpis": hostile_kpis}


def test_commentary_reaches_its_mart_with_the_later_file_winning(env):
    notes = mart(env["marts"], "fct_kpi_commentary")
    got = {(r.kpi_id, r.period): r for r in notes.itertuples()}
    latest = env["latest"]
    assert got[("digital_share", latest)].text == CORRECTED  # zz_commentary_b replaced zz_commentary_a's row
    assert got[("digital_share", latest)].owner_role == ROLE
    assert got[("calls_answered_60s_rate", latest)].text == MARKDOWN
    assert got[("call_abandon_rate", latest)].text == EXACTLY_1000  # 1,000 characters is allowed
    assert got[("survey.access_easy", env["wave"])].has_figure  # a wave label for a KPI published by wave
    assert str(got[("digital_share", latest)].written_on)[:10] == f"{latest}-28"


def test_each_rule_breaker_is_held_back_with_its_reason_and_its_text_withheld(env):
    q = mart(env["marts"], "dq_quarantine", "source = 'kpi_commentary' AND file_name = 'zz_commentary_a.csv'")
    checks = {json.loads(r)["kpi_id"]: c for r, c in zip(q["record"], q["check_name"], strict=True)}
    assert checks["not_a_kpi"] == "kpi_id_known"
    assert checks["cost_per_contact_gbp"] == "period_matches_cadence"
    assert checks["contacts_total"] == "period_matches_cadence"
    assert checks["hub_visits"] == "owner_is_a_role"
    assert checks["online_completion_rate"] == "written_on_not_in_future"
    assert checks["self_service_share"] == "text_present"
    for kpi_id, check in zip(env["hostile_kpis"], HOSTILE.values(), strict=True):
        assert check in set(q.loc[[json.loads(r)["kpi_id"] == kpi_id for r in q["record"]], "check_name"]), kpi_id
    published = set(mart(env["marts"], "fct_kpi_commentary")["kpi_id"])
    assert published.isdisjoint({"not_a_kpi", "cost_per_contact_gbp", "contacts_total", "hub_visits",
                                 "online_completion_rate", "self_service_share", *env["hostile_kpis"]})
    # the quarantine never shows the held-back text nor the person's name
    records = " ".join(q["record"])
    assert "Priya Shah" not in records
    for text in HOSTILE:
        assert text not in records and text[:30] not in records


def test_no_hostile_text_reaches_any_mart(env):
    con = duckdb.connect()
    dumped = []
    for path in sorted((env["marts"] / "current").glob("*.parquet")):
        df = con.execute(f"SELECT * FROM read_parquet('{path}')").df()
        dumped.append(df.astype(str).to_csv())
    everything = "\n".join(dumped)
    for text in [*HOSTILE, "Priya Shah", "ana.smith@", "7364 5000", "Mr Hussain", "E1 4DQ", "<script>"]:
        assert text[:40] not in everything, text[:40]


def test_provisional_when_a_source_stops_part_way_through_the_month(env):
    latest = env["latest"]
    cov = mart(env["marts"], "fct_source_coverage", "source = 'staff_training'").set_index("period")
    assert not cov.loc[latest, "covers_whole_month"]
    assert str(cov.loc[latest, "source_last_record_on"])[:10] <= f"{latest}-13"
    earlier = sorted(p for p in cov.index if p < latest)[-1]
    assert cov.loc[earlier, "covers_whole_month"]
    prov = mart(env["marts"], "fct_kpi_provisional").set_index(["kpi_id", "period"])
    assert prov.loc[("staff_trained_rate", latest), "is_provisional"]
    assert list(prov.loc[("staff_trained_rate", latest), "incomplete_sources"]) == ["staff_training"]
    assert not prov.loc[("staff_trained_rate", earlier), "is_provisional"]
    assert not prov.loc[("call_answer_rate", latest), "is_provisional"]  # calls cover the month
    # every published overall figure has a verdict
    figures = mart(env["marts"], "kpi_values", "breakdown = ''")[["kpi_id", "period"]].drop_duplicates()
    assert len(figures) == len(prov)


@pytest.fixture
def pointed(env, monkeypatch):
    monkeypatch.setenv("CX_MARTS_DIR", str(env["marts"]))
    return env


def test_card_shows_the_note_escaped_the_missing_note_and_the_provisional_flag(pointed):
    latest = pointed["latest"]
    at = open_page("overview", period=period_label(latest))
    shown = texts(at)
    assert f"Owner's note (28 {period_label(latest, short=True)})" in unescaped(shown)
    assert "Take\\-up is behind plan" in shown  # the corrected note, escaped for markdown
    # markdown from an extract is shown literally: every control character escaped
    assert "\\*\\*not\\*\\* good \\:red\\[alarm\\] \\$x^2\\$" in shown.replace("\\^", "^")
    assert "**not**" not in shown.replace("\\*\\*not\\*\\*", "")
    reach = mart(pointed["marts"], "fct_source_coverage", "source = 'staff_training' AND period = ?",
                 [latest])["source_last_record_on"].iloc[0]
    assert f"Provisional: training records end {reach.day} {period_label(latest, short=True)}" in unescaped(shown)
    run = data.current_run()
    card = data.scorecard(run, latest)
    off = card[card["rag"].isin(["red", "amber"]) & ~card["kpi_id"].isin(["digital_share",
                                                                           "calls_answered_60s_rate"])]
    notes = data.kpi_commentary(run)
    without = [k for k in off["kpi_id"] if notes[(notes["kpi_id"] == k) & (notes["period"] == latest)].empty]
    if without:
        assert "No commentary from the owner for this month" in unescaped(shown)


def test_chart_section_shows_the_note_in_full(pointed):
    latest = pointed["latest"]
    at = open_page("outcome_1", period=period_label(latest))
    shown = texts(at)
    assert f"Owner's note on {period_label(latest)}" in unescaped(shown)
    assert "numbers rose that week." in unescaped(shown)  # the whole corrected note, not its start


def test_board_pack_carries_the_notes_html_escaped(pointed):
    run = data.current_run()
    html = board_pack.render(run, pointed["latest"])
    assert "Take-up is behind plan: the parking permit form went live on 22 September" in html
    assert "Calls &lt; 60 s rose; **not** good :red[alarm]" in html and "&gt; expected &amp;" in html
    assert "Provisional: the training records end on" in html
    assert "<script" not in html and "Priya Shah" not in html
    if "no-commentary" in html:
        assert "No commentary from the owner for this month." in html


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_in_chromium_markdown_in_a_note_is_shown_literally(env):
    """What a reader sees: the note's asterisks, colour directive and dollar signs as typed,
    no bold, no red text, no formula; and the provisional flag in words."""
    from tests.browser.server import browser, page_errors, streamlit_server, wait_for_app

    latest = env["latest"]
    with streamlit_server(env["marts"]) as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 2600})
        page.goto(f"{url}/?period={period_label(latest).replace(' ', '+')}")
        wait_for_app(page)
        page.wait_for_selector("text=Owner's note", timeout=120_000)
        assert page_errors(page) == []
        main = page.inner_text("[data-testid='stMain']")
        assert "**not** good :red[alarm] $x^2$" in main
        assert "Provisional: training records end" in main
        html = page.inner_html("[data-testid='stMain']")
        assert "<strong>not</strong>" not in html and "alarm</span>" not in html and "katex" not in html
