"""No personal data in the published marts, the pages' downloads or the Data Docs.

The demo extracts carry real-looking pseudonymised ids and planted breaches (a
phone number as customer_hash, a person's name as an action owner). Every
column of every published mart, every file the dashboard offers for download
(read from the running pages in AppTest) and the published Data Docs are
scanned for those ids and values, for anything shaped like a phone number or
an e-mail address; and the only mart columns that carry free text from an
extract are the ones reviewed below.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import components
from pipelines.contract import load_sources
from pipelines.safe_csv import safe_csv_bytes
from tests.pages import offered_downloads

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = sorted(p.name for p in (APP.parent / "pages").glob("*.py") if p.name != "__init__.py")

HEX_ID = re.compile(r"[0-9a-f]{16,}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")  # not pkg@1.19.1
PHONE = re.compile(r"(?<![\d.])(?:\+44 ?|0)\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?![\d.])")  # not 3.0024549918167
# Extract columns of free text (anything someone could type into the source system).
FREE_TEXT = {"complaints": ["category"], "action_plan": ["title", "owner_role"],
             "kpi_commentary": ["text", "owner_role"]}
# Mart columns allowed to carry that free text, and why it is safe.
REVIEWED_FREE_TEXT = {
    ("fct_complaints_monthly", "category"): "the case system's category picklist; contact details in it are "
                                            "quarantined (complaints.json: category_holds_no_contact_details)",
    ("fct_action_plan_latest", "title"): "the council's published action plan, about services, not residents",
    ("fct_action_plan_history", "title"): "the same",
    ("fct_action_plan_latest", "owner_role"): "a role title: a value not shaped like one is quarantined "
                                              "(action_plan.json: owner_is_a_role)",
    ("fct_action_plan_history", "owner_role"): "the same",
    ("dim_kpi", "owner"): "the KPI catalogue's owner roles (data/reference), which match some owner_role values",
    ("fct_kpi_commentary", "text"): "owners' commentary, published on purpose: a note with an e-mail address, phone "
                                    "number, titled name, postcode, NI number or markup is quarantined "
                                    "(kpi_commentary.json) and its text withheld from dq_quarantine",
    ("fct_kpi_commentary", "owner_role"): "a role title (kpi_commentary.json: owner_is_a_role)",
}


@pytest.fixture(scope="module")
def raw_personal(demo_env) -> dict:
    """What the demo extracts hold that identifies someone, or may."""
    raw = demo_env[0]
    con = duckdb.connect()
    ids: set[str] = set()
    for source in load_sources().values():
        for col in source.pseudonymised_columns:
            ids |= {r[0] for r in con.execute(f"""
                SELECT DISTINCT "{col}" FROM read_csv('{raw / source.name}/*.csv', all_varchar = true,
                    union_by_name = true, ignore_errors = true) WHERE "{col}" IS NOT NULL""").fetchall()}
    free = set()
    for source, cols in FREE_TEXT.items():
        for col in cols:
            free |= {r[0] for r in con.execute(f"""
                SELECT DISTINCT "{col}" FROM read_csv('{raw / source}/*.csv', all_varchar = true,
                    union_by_name = true, ignore_errors = true) WHERE "{col}" IS NOT NULL""").fetchall()}
    planted = {f["value"] for f in json.loads((raw / "_demo_faults.json").read_text())
               if f["kind"].startswith(("person_name", "phone_number", "email"))}
    assert len(ids) > 1000 and planted >= {"John Smith", "07700 900030"}  # the scan has something to find
    planted_commentary = {f["value"] for f in json.loads((raw / "_demo_faults.json").read_text())
                          if f["source"] == "kpi_commentary" and f["kind"] != "commentary_correction"}
    assert len(planted_commentary) >= 4  # an e-mail, a phone number, a resident's name, a name as owner
    planted |= planted_commentary
    return {"ids": ids - planted, "planted": planted, "free": free}


def published_text(marts: Path) -> dict[tuple[str, str], pd.Series]:
    """(mart, column) -> every value as text."""
    con = duckdb.connect()
    out = {}
    for path in sorted((marts / "current").glob("*.parquet")):
        df = con.execute(f"SELECT * FROM read_parquet('{path}')").df()
        for col in df.columns:
            out[(path.stem, col)] = df[col].dropna().astype(str)
    assert len({m for m, _ in out}) >= 30
    return out


def personal_data_in(text: str, found: dict) -> list[str]:
    """What in `text` identifies someone: known ids, planted values, phone numbers, e-mail addresses."""
    hits = [f"id {h[:6]}..." for h in set(HEX_ID.findall(text)) if h in found["ids"]]
    hits += [f"planted {v!r}" for v in found["planted"] if v in text]
    hits += [f"phone {m.group(0)!r}" for m in PHONE.finditer(text)]
    hits += [f"e-mail {m.group(0)!r}" for m in EMAIL.finditer(text)]
    return hits


def test_no_mart_column_holds_ids_phone_numbers_or_email_addresses(demo_marts, raw_personal):
    problems = {}
    for (mart, col), values in published_text(demo_marts).items():
        hits = personal_data_in("\n".join(values.unique()), raw_personal)
        if hits:
            problems[f"{mart}.{col}"] = hits[:3]
    assert problems == {}


def test_free_text_reaches_only_reviewed_mart_columns(demo_marts, raw_personal):
    carrying = {key for key, values in published_text(demo_marts).items()
                if set(values.unique()) & raw_personal["free"]}
    assert carrying - set(REVIEWED_FREE_TEXT) == set(), "a new mart column publishes free text: review it"
    assert ("fct_action_plan_latest", "owner_role") in carrying  # the scan does see free text


def test_commentary_is_published_and_its_planted_breaches_are_not(demo_marts, raw_personal):
    notes = duckdb.connect().execute(
        f"SELECT * FROM read_parquet('{demo_marts / 'current' / 'fct_kpi_commentary.parquet'}')").df()
    assert len(notes) >= 5  # the scan has commentary to look at
    text = " ".join(notes["text"]) + " ".join(notes["owner_role"])
    assert personal_data_in(text, raw_personal) == []
    q = duckdb.connect().execute(
        f"SELECT record FROM read_parquet('{demo_marts / 'current' / 'dq_quarantine.parquet'}') "
        "WHERE source = 'kpi_commentary'").df()
    assert len(q) >= 5 and all("[commentary withheld" in r for r in q["record"])


def test_the_quarantine_mart_masks_what_it_keeps(demo_marts, raw_personal):
    q = duckdb.connect().execute(
        f"SELECT * FROM read_parquet('{demo_marts / 'current' / 'dq_quarantine.parquet'}')").df()
    assert not q.empty
    assert "[removed: may be personal data]" in " ".join(q["record"])  # John Smith's row, masked
    assert personal_data_in(" ".join(q["record"]), raw_personal) == []


def test_published_data_docs_hold_no_personal_data(demo_marts, raw_personal):
    docs = list((demo_marts / "current" / "data_docs").rglob("*.html")) + \
        list((demo_marts / "current" / "data_docs").rglob("*.json"))
    assert docs
    problems = {str(p.name): personal_data_in(p.read_text(errors="replace"), raw_personal)[:3] for p in docs}
    assert {k: v for k, v in problems.items() if v} == {}


@pytest.fixture(scope="module")
def downloads(demo_marts):
    """Every file the pages offer for download: (page, label, file name, bytes)."""
    offered: list[tuple[str, str, str, bytes]] = []
    with pytest.MonkeyPatch.context() as mp, offered_downloads() as made:
        mp.setenv("CX_MARTS_DIR", str(demo_marts))
        at = AppTest.from_file(str(APP), default_timeout=120).run()
        offered += [("", d.label, d.file_name, d.body) for d in made]
        for name in PAGES:  # a page that fails is other tests' business; its downloads are not offered
            before = len(made)
            at.switch_page(f"pages/{name}").run()
            offered += [(name, d.label, d.file_name, d.body) for d in made[before:]]
    return offered


def test_downloads_hold_no_personal_data(downloads, raw_personal):
    pages = {p for p, *_ in downloads}
    assert {"overview.py", "kpi_catalogue.py", "data_quality.py"} <= pages
    problems = {}
    for page, label, file_name, body in downloads:
        if file_name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                text = "\n".join(z.read(n).decode(errors="replace") for n in z.namelist()
                                 if n.endswith((".html", ".json", ".csv")))
        else:
            text = body.decode("utf-8-sig", errors="replace")
        hits = personal_data_in(text, raw_personal)
        if hits:
            problems[f"{page}: {label} ({file_name})"] = hits[:3]
    assert problems == {}


def test_csv_downloads_neutralise_formulas(downloads):
    csvs = [(p, f, b.decode("utf-8-sig")) for p, _, f, b in downloads if f.endswith(".csv")]
    assert csvs
    for page, file_name, text in csvs:
        for row in pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).itertuples(index=False):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not re.match(r"-[^0-9.]", cell), \
                    (page, file_name, cell)


@pytest.mark.parametrize("text, hits", [
    ("call 07700 900123 today", 1), ("+44 20 7364 5000", 1), ("ana.smith@towerhamlets.gov.uk", 1),
    ("0.0024549918167", 0), ("12.50", 0), ("bootstrap-table@1.19.1", 0), ("2024-03-04 09:00:00", 0),
])
def test_the_scanner_finds_phone_numbers_and_email_addresses(text, hits):
    assert len(personal_data_in(text, {"ids": set(), "planted": set()})) == hits


def test_the_download_path_neutralises_a_formula():
    df = pd.DataFrame({"title": ['=HYPERLINK("http://example.com","x")', "+SUM(A1)", "@cmd", "-2+3",
                                 "ordinary text", "-1.5"], "n": [1, 2, 3, 4, 5, 6]})
    text = components.to_csv_bytes(df).decode("utf-8-sig")
    cells = pd.read_csv(io.StringIO(text), dtype=str)["title"].tolist()
    assert cells == ['\'=HYPERLINK("http://example.com","x")', "'+SUM(A1)", "'@cmd", "'-2+3", "ordinary text",
                     "'-1.5"]
    assert components.to_csv_bytes(df) == safe_csv_bytes(df)


@pytest.mark.parametrize("page", ["overview", "outcome_1", "outcome_2", "outcome_3"])
def test_pages_showing_commentary_show_no_personal_data(demo_marts, raw_personal, page, monkeypatch):
    """The pages that show owners' notes, for every month with a note: nothing the
    scan knows as personal (planted e-mail, phone number, names) is on them."""
    from dashboard.formatting import period_label
    from tests.pages import open_page, texts

    monkeypatch.setenv("CX_MARTS_DIR", str(demo_marts))
    notes = duckdb.connect().execute(
        f"SELECT DISTINCT period FROM read_parquet('{demo_marts / 'current' / 'fct_kpi_commentary.parquet'}') "
        "WHERE period SIMILAR TO '[0-9]{4}-[0-9]{2}' ORDER BY period DESC LIMIT 2").fetchall()
    assert notes
    for (period,) in notes:
        shown = texts(open_page(page.removesuffix(".py"), period=period_label(period)))
        plain = re.sub(r"\\(.)", r"\1", shown)
        assert personal_data_in(plain, raw_personal) == [], (page, period)
