"""Other addresses for the pages, so a typed, remembered or old link reaches the
right page instead of "Page not found".

Each alias is a hidden page (not in the menu) that moves straight on to its
page with the link's query string, so `/board?period=March+2026` opens the
overview for March 2026. Streamlit matches a path exactly, so every alias is
lower case, as people type addresses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import streamlit as st

# Words people use for a page, beyond the spellings derived from its own address
# and file name (outcome-1 also answers to outcome_1, outcome1, ...).
EXTRA = {
    "overview": ("overview", "board", "board-overview", "board_overview", "home", "index", "summary", "scorecard"),
    "outcome_1": ("o1", "outcome-one", "accessible", "access"),
    "outcome_2": ("o2", "outcome-two", "feedback"),
    "outcome_3": ("o3", "outcome-three", "culture"),
    "action_plan": ("actions", "plan"),
    "channel_shift": ("channels", "channel", "cmt", "costs", "cost-of-contact"),
    "complaints": ("complaint",),
    "voice": ("voice", "survey", "surveys", "residents-survey"),
    "equality": ("equalities", "equality-gaps"),
    "catalogue": ("catalogue", "catalog", "kpis", "kpi", "definitions", "kpi-catalog"),
    "data_quality": ("dq", "quality", "data-quality-checks", "quarantine", "checks"),
}


def spellings(*names: str) -> set[str]:
    """'outcome-1' and 'outcome_1.py' -> outcome-1, outcome_1, outcome1 (lower case)."""
    out = set()
    for name in names:
        base = re.sub(r"\.py$", "", name.strip("/").lower())
        words = [w for w in re.split(r"[-_\s]+", base) if w]
        if words:
            out |= {"-".join(words), "_".join(words), "".join(words)}
    return out


def alias_paths(key: str, page: st.Page, taken: set[str]) -> list[str]:
    """Every other address for `page` (registered in app.py under `key`), none that another page already uses."""
    script = getattr(page, "_page", None)
    file_name = getattr(script, "name", "") if script is not None else ""
    paths = spellings(page.url_path, key, file_name) | set(EXTRA.get(key, ()))
    return sorted(p for p in paths if p and p not in taken)


def _move_on(page: st.Page):
    def move_on() -> None:
        st.switch_page(page, query_params=st.query_params.to_dict())
    return move_on


def with_aliases(sections: Mapping[str, Sequence[st.Page]], keys: Mapping[int, str]) -> dict[str, list[st.Page]]:
    """The navigation's sections with each page's aliases added as hidden pages beside it.
    `keys` maps id(page) to its key in app.py's page list."""
    taken = {p.url_path for ps in sections.values() for p in ps} | {""}
    out = {}
    for section, section_pages in sections.items():
        out[section] = list(section_pages)
        for page in section_pages:
            for path in alias_paths(keys.get(id(page), ""), page, taken):
                taken.add(path)
                out[section].append(st.Page(_move_on(page), title=page.title, url_path=path, visibility="hidden"))
    return out
