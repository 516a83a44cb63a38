"""The card grid's rows, the month a link asks for and the pages' aliases (issue 12 items 5 and 8),
without a browser (the browser tests check them on screen)."""

from __future__ import annotations

import re

import pytest

from dashboard import aliases, style
from dashboard.filters import period_from_link
from dashboard.formatting import period_label
from tests.helpers import mart
from tests.pages import open_page


@pytest.mark.parametrize("n, most, rows", [
    (4, 4, [4]), (5, 4, [3, 2]), (6, 4, [3, 3]), (7, 4, [4, 3]), (8, 4, [4, 4]), (9, 4, [3, 3, 3]),
    (13, 4, [4, 3, 3, 3]), (4, 3, [2, 2]), (13, 3, [3, 3, 3, 2, 2]), (3, 2, [2, 1]), (1, 4, [1]), (0, 4, []),
])
def test_card_rows_are_balanced(n, most, rows):
    got = style.balanced_rows(n, most)
    assert got == rows and sum(got) == n and all(r <= most for r in got)
    if len(got) > 1 and n > most:
        assert max(got) - min(got) <= 1  # no orphan where the count allows it


@pytest.mark.parametrize("n", range(1, 25))
def test_every_card_spans_its_share_of_a_full_row(n):
    """Each width class gives every card a span; the spans of each row add up to the 12 columns."""
    css = style.grid_css(".g", n)
    blocks = re.findall(r"@container ([^{]+)\{(.*?)\}\s*\}", css + "\n", flags=re.S)
    assert len(blocks) == len(style.CARDS_A_ROW)
    for (_, most), (_, body) in zip(style.CARDS_A_ROW, blocks, strict=True):
        span = {}
        for sel, width in re.findall(r"nth-child\(([^)]+)\) \{ grid-column: span (\d+)", body):
            k = int(re.search(r"\d+", sel).group())
            for i in range(1, n + 1):
                if (sel.startswith("-n") and i <= k) or (sel.startswith("n+") and i >= k):
                    span.setdefault(i, int(width))
        assert sorted(span) == list(range(1, n + 1))
        assert all(w >= style.GRID_COLUMNS // most for w in span.values())  # never more than `most` a row
        row = 0
        for i in range(1, n + 1):
            row += span[i]
            assert row <= style.GRID_COLUMNS
            if row == style.GRID_COLUMNS:
                row = 0
        assert row == 0  # the last row is full too


PERIODS = ["2025-09", "2025-08", "2025-07"]


@pytest.mark.parametrize("value, expected", [
    ("August 2025", "2025-08"), ("august 2025", "2025-08"), (" 2025-07 ", "2025-07"), (["2025-09"], "2025-09"),
    ("2025-10", None), ("Nonsense", None), ("", None), (None, None), ([], None), ("=cmd|' /C calc'!A0", None),
])
def test_the_month_a_link_asks_for(value, expected):
    assert period_from_link(value, PERIODS) == expected


def test_aliases_cover_the_obvious_spellings():
    assert {"outcome-1", "outcome_1", "outcome1"} == aliases.spellings("outcome-1")
    assert {"data-quality", "data_quality", "dataquality"} <= aliases.spellings("data_quality.py")
    for key, words in aliases.EXTRA.items():
        assert all(w == w.lower() and " " not in w for w in words), key
    # no alias is claimed twice
    every = [w for words in aliases.EXTRA.values() for w in words]
    assert len(every) == len(set(every))


def test_a_shared_link_carries_the_newest_month_too(marts_env):
    """Opened with no month, the page writes the month it shows into the URL, so the link a
    reader copies opens on the same month after the next one is published."""
    newest = mart(marts_env, "dim_periods", "is_complete")["period"].max()
    at = open_page("outcome_1")
    assert at.query_params.get("period") in (period_label(newest), [period_label(newest)])
