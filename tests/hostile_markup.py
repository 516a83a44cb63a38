"""Markup planted in extracts (issue 11 item 2): script, a live link, markdown links.

`plant(raw)` adds them to a copy of the demo landing zone where they reach every
place the project writes text: action titles and owners (action plan page, its
status chart), complaint categories (complaints chart), respondents' gender
(equality and voice-of-the-customer groups, shown and suppressed), a survey wave's
label (cards, captions, the board pack) and values that fail a check (Data Docs,
quarantine).
"""

from __future__ import annotations

import csv
from pathlib import Path

SCRIPT = "<img src=x onerror=alert(1)>"
LINK = '<a href="https://evil.example/a">Read the plan</a>'
MARKDOWN = "[click here](https://evil.example/m) www.evil.example :red[alarm] **loud** $x^2$"
HOSTILE = (SCRIPT, LINK, MARKDOWN)
STAFF_WAVE = f"2025-07 {SCRIPT}"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _latest(folder: Path, prefix: str) -> Path:
    return sorted(folder.glob(f"{prefix}*.csv"))[-1]


def plant(raw: Path) -> None:
    path = _latest(raw / "action_plan", "action_plan_")
    header, rows = _rows(path)
    last = rows[-1]
    rows += [dict(last, action_id="CX9-01", title=LINK, owner_role="<b>Head</b> of Customer Service",
                  status="on_track"),
             dict(last, action_id="CX9-02", title=f"{SCRIPT} {MARKDOWN}", status="at_risk")]
    _write(path, header, rows)

    path = _latest(raw / "complaints", "complaints_")
    header, rows = _rows(path)
    rows += [dict(rows[0], case_ref=f"CMP-XSS-{i:04d}", category=HOSTILE[i % 2]) for i in range(12)]
    _write(path, header, rows)

    path = _latest(raw / "survey_responses", "transactional_")
    header, rows = _rows(path)
    for i, r in enumerate(rows[:40]):  # 24 a group that is shown, 8 and 8 suppressed (fewer than 10)
        r["gender"] = LINK if i < 24 else SCRIPT if i < 32 else MARKDOWN
        r["age_band"] = r["age_band"] or "35-44"
    _write(path, header, rows)

    path = raw / "survey_responses" / "staff_2025-07.csv"
    header, rows = _rows(path)
    _write(path, header, [dict(r, wave=STAFF_WAVE) for r in rows])

    path = _latest(raw / "calls", "calls_")
    header, rows = _rows(path)
    rows += [dict(rows[0], call_id=f"CXSS{i}", queue=HOSTILE[i % 2]) for i in range(2)]
    _write(path, header, rows)
