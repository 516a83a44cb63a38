"""Reading what a Board member reads, for the trust tests: every KPI card of a page (its
figure, status and target as shown), tables with a figure beside its status, a page's
downloads and the board pack's figures; and an independent check that a status agrees
with the figure and target as printed."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.pages import Offered, walk

STATUS_WORDS = ("On target", "Near target", "Off target", "No target", "Data problem")


# ------------------------------------------------------------------ reading figures back
def parse_figure(text: str, unit: str) -> float:
    """A figure as printed back to a number (a rate as a fraction): 74.99% -> 0.7499."""
    t = text.strip()
    sign = -1.0 if t.startswith("-") else 1.0
    t = t.lstrip("-")
    if unit == "rate":
        return sign * float(t.rstrip("%")) / 100
    if unit == "gbp":
        t = t.replace("£", "").replace(",", "")
        return sign * (float(t[:-1]) * 1_000_000 if t.endswith("m") else float(t))
    if unit == "seconds":
        m = re.fullmatch(r"(?:(\d+) min )?([\d.]+) s", t)
        assert m, f"not a time: {text!r}"
        return sign * (int(m[1] or 0) * 60 + float(m[2]))
    return sign * float(t.replace(",", ""))


def parse_target(text: str, unit: str) -> tuple[str | None, float | None]:
    """'Target at least 75%' -> ('higher', 0.75); 'No target set' -> (None, None)."""
    t = text.strip().removeprefix("Target ").strip()
    if t in ("No target set", "–", ""):
        return None, None
    word, _, figure = t.partition(" ")
    if word == "at":
        word, _, figure = figure.partition(" ")
        polarity = {"least": "higher", "most": "lower"}[word]
    else:
        raise AssertionError(f"not a target: {text!r}")
    return polarity, parse_figure(figure, unit)


def expected_status(value: float, target: float | None, polarity: str | None, amber_band) -> str:
    """The status a reader works out from the printed figure and target and the agreed margin."""
    if target is None:
        return "No target"
    band = 0.0 if amber_band is None or pd.isna(amber_band) else float(amber_band)
    v = round(value, 9)
    if polarity == "higher":
        return "On target" if v >= target else "Near target" if v >= target - band else "Off target"
    return "On target" if v <= target else "Near target" if v <= target + band else "Off target"


def status_word(text: str) -> str:
    found = [w for w in STATUS_WORDS if w in text]
    assert len(found) == 1, f"no single status in {text!r}"
    return found[0]


def contradiction(name: str, value_text: str, target_text: str, status_text: str, kpi: dict) -> str | None:
    """None when the status shown agrees with the figure and target shown; else what disagrees."""
    status = status_word(status_text)
    if status == "Data problem" or value_text.strip().lower() == "data problem":
        return None if status == "Data problem" and value_text.strip().lower() == "data problem" else \
            f"{name}: {value_text!r} with {status!r}"
    if value_text.strip() in ("–", "") or value_text.startswith("not shown"):
        return None if status == "No target" else f"{name}: no figure but {status!r}"
    polarity, target = parse_target(target_text, kpi["unit"])
    want = expected_status(parse_figure(value_text, kpi["unit"]), target, polarity or kpi["polarity"],
                           kpi.get("amber_band"))
    return None if want == status else f"{name}: {value_text} against {target_text!r} shows {status!r}, reads {want!r}"


# ------------------------------------------------------------------ cards
BADGE = re.compile(r"-badge\[(?::material/[a-z_]+: )?([^\]]+)\]")


def cards(at: AppTest) -> list[dict]:
    """Every KPI card on the page: name, figure, status, target line, captions and other text."""
    out = []
    for block in walk(at.main):
        if not isinstance(getattr(block, "children", None), dict):
            continue
        elements = list(walk(block))
        metrics = [e for e in elements if getattr(e, "type", "") == "metric"]
        inner = [b for b in elements if isinstance(getattr(b, "children", None), dict)
                 and sum(1 for e in walk(b) if getattr(e, "type", "") == "metric") == 1]
        if len(metrics) != 1 or inner:
            continue
        markdown = [e.value for e in elements if getattr(e, "type", "") == "markdown"]
        captions = "\n".join(e.value for e in elements if getattr(e, "type", "") == "caption")
        badges = [BADGE.search(m).group(1) for m in markdown if BADGE.search(m)]
        lines = [x.strip() for x in captions.replace("  \n", "\n").split("\n")]
        out.append({"name": metrics[0].label, "value": metrics[0].value, "metric": metrics[0],
                    "status": badges[0] if badges else "", "target": next(
                        (x for x in lines if x.startswith("Target ") or x == "No target set"), ""),
                    "captions": captions, "markdown": markdown})
    return out


# ------------------------------------------------------------------ downloads
def csv_downloads(offered: list[Offered]) -> dict[str, pd.DataFrame]:
    """The CSV downloads among those offered, by their button's key, read as a reader's
    spreadsheet would (text kept as text)."""
    return {d.key: pd.read_csv(io.StringIO(d.body.decode("utf-8-sig")), dtype=str, keep_default_na=False)
            for d in offered if d.key and d.file_name.endswith(".csv")}


# ------------------------------------------------------------------ the board pack
class PackFigures(HTMLParser):
    """The pack's tables (one row a KPI) and trend blocks: figure, target and status as printed."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self._row: dict | None = None
        self._cell: str | None = None
        self._text: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and a.get("data-kpi"):
            self._row = {"kpi_id": a["data-kpi"], "where": "table"}
        elif tag == "div" and a.get("class") == "kpi":
            self._row = {"kpi_id": a["data-kpi"], "where": "block", "line": ""}
        cls = a.get("class", "")
        if self._row is not None and tag in ("td", "strong", "span") and cls.split(" ")[0] in (
                "value", "num", "target", "status", "rag"):
            self._cell = {"num": "value", "rag": "status"}.get(cls.split(" ")[0], cls.split(" ")[0])
            if self._cell == "status" and tag == "td":
                self._cell = "status"
            self._text = []

    def handle_endtag(self, tag):
        if self._cell and tag in ("td", "strong", "span"):
            self._row.setdefault(self._cell, "".join(self._text).strip())
            self._cell = None
        if self._row is not None and ((tag == "tr" and self._row["where"] == "table")
                                      or (tag == "p" and self._row["where"] == "block" and "status" in self._row)):
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        self.texts.append(data)
        if self._cell:
            self._text.append(data)
        if self._row is not None and self._row.get("where") == "block" and "value" in self._row \
                and "status" not in self._row:
            self._row["line"] += data


def pack_figures(html: str) -> list[dict]:
    p = PackFigures()
    p.feed(html)
    for r in p.rows:
        if r["where"] == "block":  # '<strong>74.99%</strong> (June 2026) · at least 75% · '
            parts = [x.strip() for x in r["line"].split("·")]
            r["target"] = parts[1] if len(parts) > 1 else ""
    return p.rows


def pack_text(html: str) -> str:
    p = PackFigures()
    p.feed(html)
    return " ".join(p.texts)
