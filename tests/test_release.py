"""Release information: the operator's schedule, "next update due", late updates,
the release line on every page and the Methodology page."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from dashboard import release
from pipelines.reference import Reference, ReferenceError
from tests.pages import open_page, texts

LONDON = release.ZoneInfo("Europe/London")


def at(y, m, d, h=0, mi=0, zone=dt.UTC):
    return dt.datetime(y, m, d, h, mi, tzinfo=zone)


def test_default_schedule_is_02_30_every_night_uk_time(monkeypatch):
    monkeypatch.delenv("CX_RELEASE_SCHEDULE", raising=False)
    monkeypatch.delenv("CX_RELEASE_TIMEZONE", raising=False)
    s = release.schedule()
    assert (s.expression, s.timezone) == ("30 2 * * *", "Europe/London")
    assert s.in_words() == "every night at 02:30 UK time"
    # winter: 02:30 GMT; summer: 02:30 BST (01:30 UTC)
    assert s.next_after(at(2026, 12, 2, 18)) == at(2026, 12, 3, 2, 30)
    assert s.next_after(at(2026, 7, 1, 12)) == at(2026, 7, 2, 1, 30)
    assert s.next_after(at(2026, 12, 3, 2, 30)) == at(2026, 12, 4, 2, 30)  # strictly after


@pytest.mark.parametrize("expression, now, expected", [
    ("0 6 * * 1-5", at(2026, 12, 4, 7), at(2026, 12, 7, 6)),             # Friday after 6 -> Monday
    ("15 */6 * * *", at(2026, 12, 2, 13), at(2026, 12, 2, 18, 15)),
    ("30 2 29 2 *", at(2026, 3, 1), dt.datetime(2028, 2, 29, 2, 30, tzinfo=LONDON)),
    ("30 1 * * *", at(2027, 3, 28, 0, 30), dt.datetime(2027, 3, 28, 2, 30, tzinfo=LONDON)),  # clocks go forward
    ("0 3 1 * 0", at(2026, 12, 2), dt.datetime(2026, 12, 6, 3, 0, tzinfo=LONDON)),  # day 1 or a Sunday (cron)
])
def test_next_scheduled_time(expression, now, expected):
    assert release.parse(expression).next_after(now) == expected


@pytest.mark.parametrize("expression", ["30 2 * *", "61 2 * * *", "30 25 * * *", "x 2 * * *", "30 2 * * 8",
                                        "*/0 2 * * *", "30 2 31 2 *"])
def test_a_schedule_that_cannot_be_used_says_why(expression):
    with pytest.raises(release.ScheduleError):
        release.parse(expression).next_after(at(2026, 1, 1))


def test_environment_overrides_the_reviewed_file(monkeypatch, tmp_path):
    settings = tmp_path / "release_schedule.toml"
    settings.write_text('schedule = "0 5 * * 1-5"\ntimezone = "Europe/London"\ngrace_minutes = 60\n')
    assert release.schedule(settings).in_words() == "Monday to Friday at 05:00 UK time"
    monkeypatch.setenv("CX_RELEASE_SCHEDULE", "45 23 * * *")
    assert release.schedule(settings).expression == "45 23 * * *"
    with pytest.raises(release.ScheduleError):
        release.parse("30 2 * * *", timezone="Mars/Olympus")


def test_an_update_that_did_not_arrive_is_late():
    s = release.parse("30 2 * * *", grace_minutes=120)
    fresh = release.release({"published_at_utc": "2026-12-02T02:41:07+00:00"}, at(2026, 12, 2, 18), s)
    assert fresh.late_since is None and fresh.next_due == at(2026, 12, 3, 2, 30)
    assert fresh.last_updated == dt.datetime(2026, 12, 2, 2, 41, 7, tzinfo=dt.UTC)
    assert release.when_text(fresh.last_updated) == "02:41 on Wednesday 2 December 2026"
    within_grace = release.release({"published_at_utc": "2026-12-01T02:41:00+00:00"}, at(2026, 12, 2, 4), s)
    assert within_grace.late_since is None
    late = release.release({"published_at_utc": "2026-12-01T02:41:00+00:00"}, at(2026, 12, 2, 18), s)
    assert late.late_since == at(2026, 12, 2, 2, 30)


@pytest.fixture
def stale_marts(demo_marts, tmp_path, monkeypatch):
    """The demo run, published (its manifest says) three days ago."""
    src = (demo_marts / "current").resolve()
    run = tmp_path / "runs" / src.name
    shutil.copytree(src, run, ignore=shutil.ignore_patterns("data_docs"))
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["published_at_utc"] = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat(timespec="seconds")
    (run / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "current").symlink_to(run.relative_to(tmp_path))
    monkeypatch.setenv("CX_MARTS_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("page", ["overview", "outcome_2", "complaints", "kpi_catalogue", "methodology"])
def test_every_page_says_when_updated_and_when_next_due_and_links_the_methodology(marts_env, page):
    at_ = open_page(page)
    header = [c.value for c in at_.caption if "next update due" in c.value]
    assert header and "Data as at" in header[0] and "last updated" in header[0]
    assert "(every night at 02:30 UK time)" in header[0]
    links = [p.proto.label for p in at_.get("page_link")]
    assert any(label.startswith("Methodology") for label in links), links


def test_a_late_update_is_named_on_the_page(stale_marts):
    at_ = open_page("overview")
    header = [c.value for c in at_.caption if "next update due" in c.value][0]
    assert header.startswith("**Late: the update due at 02:30 on")


def test_methodology_page_renders_every_file_in_order_and_every_definition(marts_env):
    at_ = open_page("methodology")
    files = sorted((Path(__file__).resolve().parent.parent / "dashboard" / "methodology").glob("*.md"))
    assert len(files) >= 4
    bodies = [m.value for m in at_.markdown]
    positions = [next(i for i, b in enumerate(bodies) if b.strip() == f.read_text(encoding="utf-8").strip()) for f in files]
    assert positions == sorted(positions)
    # headings go down one level at a time: the page title is h1, the files' sections h2
    for f in files:
        first = f.read_text(encoding="utf-8").lstrip().splitlines()[0]
        assert first.startswith("## "), f.name
    table = [t.value for t in at_.table if "Definition" in t.value.columns][0].reset_index()
    cat = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" / "reference" /
                          "kpi_catalogue.yaml").read_text())
    assert set(table["Measure"]) == {k["name"] for k in cat["kpis"]}
    assert not table["Computed from"].eq("").any()
    shown = texts(at_)
    for words in ("Disclosure control", "Provisional figures", "Weighting", "Next update due"):
        assert words in shown


def test_catalogue_sources_must_be_landing_zone_sources(tmp_path):
    ref_dir = Path(__file__).resolve().parent.parent / "data" / "reference"
    for f in ref_dir.iterdir():
        shutil.copy(f, tmp_path / f.name)
    cat = yaml.safe_load((tmp_path / "kpi_catalogue.yaml").read_text())
    assert all(k["sources"] for k in cat["kpis"])
    for bad, words in ((["calls", "telephony"], "unknown source(s) telephony"), ([], "non-empty list"),
                       ("calls", "non-empty list"), (["calls", "calls"], "twice")):
        cat["kpis"][0]["sources"] = bad
        (tmp_path / "kpi_catalogue.yaml").write_text(yaml.safe_dump(cat))
        with pytest.raises(ReferenceError, match=words.replace("(", r"\(").replace(")", r"\)")):
            _ = Reference(tmp_path).catalogue
    del cat["kpis"][0]["sources"]
    (tmp_path / "kpi_catalogue.yaml").write_text(yaml.safe_dump(cat))
    with pytest.raises(ReferenceError, match="has no sources"):
        _ = Reference(tmp_path).catalogue
