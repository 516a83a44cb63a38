"""Values from an extract are data, never markup (issue 11 item 2), and Data Docs are
built whatever the form of the paths (issue 10 item 9).

A copy of the demo landing zone gets script, a live link and markdown links in
action titles, complaint categories, respondents' gender, a survey wave's label and
values that fail a check (tests/hostile_markup.py). The pipeline runs over it with
relative paths, as `make run` passes them. Then nothing the project writes may hold a
live tag or link made from those values: not the Data Docs, not any page's markdown
(read in AppTest and rendered as markdown), not any chart (plotly's figure JSON), not
the board pack; and each place shows the value as text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import mistune
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import board_pack, data
from pipelines.safe_text import chart_text, html_text, markdown_text
from tests.hostile_markup import HOSTILE, LINK, MARKDOWN, SCRIPT, plant
from tests.pages import APP, download_keys, open_page, walk

pytestmark = pytest.mark.xdist_group("markup")

PAGES = sorted(p.stem for p in (APP.parent / "pages").glob("*.py") if p.name != "__init__.py")
# The tags our own chart markup uses (line breaks, bold event numbers, hover's <extra>).
OUR_CHART_TAGS = {"br", "b", "extra"}
RENDER = mistune.create_markdown(escape=False, plugins=["url", "strikethrough", "table", "math"])


@pytest.fixture(scope="module")
def hostile(demo_env, tmp_path_factory):
    """(root, completed run) of the demo extracts with markup planted, run with relative paths."""
    root = tmp_path_factory.mktemp("markup")
    shutil.copytree(demo_env[0], root / "raw")
    plant(root / "raw")
    done = subprocess.run([sys.executable, "-m", "pipelines", "run", "--raw-dir", "raw", "--marts-dir",
                           "data/marts", "--state-dir", "data/state"], cwd=root, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return root, done


class Tags(HTMLParser):
    """Every start tag of a document with its attributes, and its text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


# What remark-gfm (Streamlit's markdown) links in the text itself, after escapes are resolved.
BARE_ADDRESS = re.compile(r"(?i)(https?://|www\.)[-.\w]+|[-.+\w]+@[-\w]+(?:\.[-\w]+)+")


def shown_text(markdown: str) -> str:
    """The text a reader sees once the markdown is rendered."""
    return "".join(Tags(RENDER(markdown)).text)


def planted_markup(html: str) -> list[str]:
    """Tags, handlers and links in an HTML document that the planted values would make live."""
    found = []
    for tag, attrs in Tags(html).tags:
        if tag == "img" and attrs.get("src") == "x":
            found.append("img src=x")
        for name, value in attrs.items():
            if name.startswith("on") and "alert" in (value or ""):
                found.append(f"{tag} {name}")
            if name in ("href", "src") and "evil.example" in (value or ""):
                found.append(f"{tag} {name}={value}")
    return found


# ---------------------------------------------------------------- the helper itself
@pytest.mark.parametrize("value", [*HOSTILE, "<script>alert(1)</script>", "![x](https://evil.example/i.png)",
                                   "<https://evil.example/auto>", "ana@evil.example", "# heading", "- item",
                                   "1. first", "`code`", "line one\n\nline two", "&lt;b&gt;"])
def test_markdown_text_renders_as_the_text_itself(value):
    rendered = RENDER(markdown_text(value))
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
    assert not re.search(r"<(h\d|ul|ol|li|code|em|strong|del|blockquote)\b", rendered), rendered
    text = shown_text(markdown_text(value))
    assert not BARE_ADDRESS.search(text), text
    # what a reader sees is the value (line breaks as spaces, word joiners invisible)
    assert text.replace("\u2060", "").strip() == " ".join(value.split()) or value == "&lt;b&gt;"


@pytest.mark.parametrize("value", ["2025-06", "65+", "St Katharine's & Wapping", "16-24", "Prefer not to say"])
def test_ordinary_text_is_left_as_it_is(value):
    assert markdown_text(value) == value
    assert chart_text(value) == value.replace("&", "&amp;")


def test_html_and_chart_text_escape_tags():
    assert html_text(LINK) == "&lt;a href=&quot;https://evil.example/a&quot;&gt;Read the plan&lt;/a&gt;"
    assert chart_text(SCRIPT) == "&lt;img src=x onerror=alert(1)&gt;"


# ---------------------------------------------------------------- Data Docs (and 10.9: relative paths)
def test_data_docs_are_built_with_relative_paths(hostile):
    root, done = hostile
    assert "Data Docs could not be built" not in done.stdout + done.stderr
    manifest = json.loads((root / "data" / "marts" / "current" / "manifest.json").read_text())
    assert manifest["data_docs"] == "data_docs/index.html"
    assert (root / "data" / "marts" / "current" / "data_docs" / "index.html").is_file()


def test_data_docs_show_failing_values_as_text(hostile):
    root, _ = hostile
    pages = list((root / "data" / "marts" / "current" / "data_docs").rglob("*.html"))
    assert len(pages) > 8
    problems = {p.name: planted_markup(p.read_text(encoding="utf-8")) for p in pages}
    assert {k: v for k, v in problems.items() if v} == {}
    shown = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert html_text(SCRIPT) in shown  # the failing queue value is there, as text


def test_the_data_quality_page_offers_data_docs_with_a_relative_marts_dir(hostile, monkeypatch):
    root, _ = hostile
    monkeypatch.chdir(root)
    monkeypatch.setenv("CX_MARTS_DIR", "data/marts")  # as `make dashboard` sets it
    at = open_page("data_quality")
    assert "docs" in download_keys(at)


# ---------------------------------------------------------------- pages and charts
def markdown_sources(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as markdown."""
    out = []
    for el in walk(at.main):
        kind = getattr(el, "type", "")
        if kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"):
            out.append(str(el.value))
        elif kind in ("expander", "metric", "tab"):
            out.append(str(el.label))
        elif kind == "table":
            df = el.value
            out += [str(v) for v in df.to_numpy().ravel() if isinstance(v, str)]
            for label in df.index.to_flat_index():
                out += [str(v) for v in (label if isinstance(label, tuple) else (label,))]
    return out


def figure_strings(at: AppTest) -> list[str]:
    strings = []

    def collect(node):
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    for el in walk(at.main):
        if getattr(el, "type", "") == "plotly_chart":
            collect(json.loads(el.proto.spec))
    return strings


@pytest.fixture(scope="module")
def hostile_pages(hostile):
    """(markdown sources, figure strings) of every page on the hostile marts."""
    root, _ = hostile
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CX_MARTS_DIR", str(root / "data" / "marts"))
        at = AppTest.from_file(str(APP), default_timeout=180).run()
        shown = {}
        for name in PAGES:
            at.switch_page(f"pages/{name}.py").run()
            assert not at.exception, (name, [e.message for e in at.exception])
            shown[name] = (markdown_sources(at), figure_strings(at))
    return shown


def test_page_markdown_shows_planted_values_as_text(hostile_pages):
    problems = []
    for page, (sources, _) in hostile_pages.items():
        for src in sources:
            rendered = RENDER(src)
            if planted_markup(rendered) or re.search(r"<a |<img|<script", rendered) \
                    or any("evil" in m.group(0) for m in BARE_ADDRESS.finditer(shown_text(src))):
                problems.append((page, src[:120]))
    assert problems == []
    everything = "\n".join(s for sources, _ in hostile_pages.values() for s in sources)
    # the planted values are on the pages (a card's wave, a suppressed group, a table's group), as text
    assert markdown_text("2025-07 " + SCRIPT) in everything
    assert markdown_text(MARKDOWN) in everything and markdown_text(LINK) in everything


def test_charts_show_planted_values_as_text(hostile_pages):
    problems = []
    for page, (_, strings) in hostile_pages.items():
        for s in strings:
            tags = {t.lower() for t in re.findall(r"<\s*/?\s*([A-Za-z][\w-]*)", s)}
            if tags - OUR_CHART_TAGS:
                problems.append((page, s[:120]))
    assert problems == []
    action_plan = "\n".join(hostile_pages["action_plan"][1])
    assert chart_text("CX9-01 " + LINK)[:40] in action_plan  # the title is on the status chart, as text
    assert any(chart_text(SCRIPT).split(" ")[0] in s for s in hostile_pages["complaints"][1])


# ---------------------------------------------------------------- board pack
def test_the_board_pack_shows_planted_values_as_text(hostile, monkeypatch):
    root, _ = hostile
    monkeypatch.setenv("CX_MARTS_DIR", str(root / "data" / "marts"))
    run = data.current_run()
    period = data.complete_periods(run)[0]
    pack = board_pack.render(run, period)
    assert planted_markup(pack) == []
    assert {t for t, _ in Tags(pack).tags} <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
                                               "p", "strong", "span", "table", "thead", "tbody", "tr", "th", "td",
                                               "div", "svg", "polyline", "circle", "line", "path", "text"}
    assert html_text("2025-07 " + SCRIPT) in pack  # the staff survey's wave, as text


# ---------------------------------------------------------------- the pages as a browser renders them
@pytest.mark.browser
def test_in_the_browser_no_planted_value_becomes_a_link_an_image_or_a_handler(hostile):
    from tests.browser.server import browser, streamlit_server, wait_for_app

    root, _ = hostile
    found, shown = {}, {}
    with streamlit_server(root / "data" / "marts") as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 2000})
        page.goto(url)
        wait_for_app(page)
        # each page with a planted value it must show as text (waited for: the page is drawn)
        # (chart labels are wrapped or shortened: "CX9-01 <a href=...>Read the…")
        for path, text in (("equality", "Read the plan"), ("action-plan", "CX9-01"),
                           ("complaints", "onerror=alert(1)"), ("outcome-3", "onerror=alert(1)")):
            page.goto(f"{url}/{path}")
            wait_for_app(page)
            page.wait_for_function("t => document.querySelector(\"[data-testid='stMain']\").textContent.includes(t)",
                                   arg=text, timeout=180_000)
            page.wait_for_timeout(2500)  # charts draw after the script ends
            found[path] = page.evaluate("""() => [
                ...document.querySelectorAll('img[src="x"], [onerror], a[href*="evil"], [href^="javascript"]')
            ].map(e => e.outerHTML.slice(0, 120))""")
            shown[path] = page.inner_text("[data-testid='stMain']")
    assert found == {p: [] for p in found}
    assert "onerror=alert(1)" in shown["equality"]  # a suppressed group, named as text
