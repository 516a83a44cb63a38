"""Page sections, and the filters each one follows.

Every chart, table and sentence on a page sits in a section that declares which
of the page's filters it follows (the sidebar's month, trend window,
directorate, service, channel and ward, and the page's own filters). For any
filter the reader has set to something other than its default that a section
does not follow, the section says so in a note under its heading, in the same
words on every page. A component that cannot follow a filter for the data at
hand (a KPI not published by service, a survey that records no ward) adds its
own note with `not_followed`.

So a new section cannot forget: `section()` has no default for `follows`, and
the note is drawn here, not by the page. What each page drew is recorded in
session state (RECORD_KEY) for the tests, which check for every page and
filter value that each section's data changed or its note is on screen.

The filters in force are registered for the page run by dashboard/filters.py
(`use_filter`); `begin_page` (called by every page through
components.require_run) forgets the previous run's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st

RECORD_KEY = "_sections"
# For a heading over parts that each declare their own filters (KPI trends,
# breakdown charts, nested sections): the heading block itself follows them all.
BY_PARTS = "by parts"
KEY_PREFIX = "section-"
NOTE_ICON = ":material/filter_alt_off:"


@dataclass(frozen=True)
class ActiveFilter:
    """A filter set to something other than its default."""

    key: str          # its query parameter, e.g. 'channel'
    sentence: str     # the note, with {instead}: 'Not broken down by channel (Phone chosen): {instead}.'
    instead: str      # what a section that does not follow it shows by default: 'every channel is shown'


@dataclass
class Section:
    key: str
    follows: frozenset[str] | None  # None: every filter (BY_PARTS)
    parent: Section | None = None
    noted: dict[str, str] = field(default_factory=dict)  # filter key -> the words on screen
    # filter key -> the value the section shows while that filter is at its default
    # (e.g. phone, for a section about phone unless another channel is chosen)
    default_shows: dict[str, object] = field(default_factory=dict)

    def follows_filter(self, key: str) -> bool:
        """True when this section and every section around it follow the filter."""
        s: Section | None = self
        while s is not None:
            if s.follows is not None and key not in s.follows:
                return False
            s = s.parent
        return True


_page = threading.local()  # one page run per script thread


def begin_page() -> None:
    """Forget the previous page run's filters and sections."""
    _page.filters = {}
    _page.stack = []
    st.session_state[RECORD_KEY] = {}


def use_filter(active: ActiveFilter | None, key: str) -> None:
    """Register a filter of this page: `active` when set away from its default, else None."""
    filters = getattr(_page, "filters", None)
    if filters is None:
        begin_page()
        filters = _page.filters
    if active is None:
        filters.pop(key, None)
    else:
        filters[key] = active


def active_filters() -> dict[str, ActiveFilter]:
    return dict(getattr(_page, "filters", {}) or {})


def note_text(active: ActiveFilter, instead: str | None = None) -> str:
    """The one sentence for a filter a section does not follow."""
    return active.sentence.format(instead=instead or active.instead)


def _record(s: Section) -> None:
    record = st.session_state.setdefault(RECORD_KEY, {})
    record[s.key] = {"follows": BY_PARTS if s.follows is None else sorted(s.follows),
                     "parent": s.parent.key if s.parent else None,
                     "notes": dict(s.noted), "default_shows": dict(s.default_shows)}


def _draw_notes(s: Section, notes: dict[str, str]) -> None:
    if not notes:
        return
    s.noted.update(notes)
    _record(s)
    st.caption(f"{NOTE_ICON} " + " ".join(notes.values()))


@contextmanager
def section(key: str, title: str | None = None, *, follows: Iterable[str] | str, heading: str = "subheader",
            instead: dict[str, str] | None = None, help: str | None = None,
            default_shows: dict[str, object] | None = None) -> Iterator[Section]:
    """A block of a page: its heading, then a note for every filter set that it
    does not follow, then what the page draws inside the `with`.

    `follows` names the filters the block's figures reflect (filters.PERIOD,
    filters.WINDOW, ... or a page filter's key), or is BY_PARTS for a heading
    over parts that declare their own; `instead` says, per filter it
    does not follow, what it shows instead ('the whole council is shown').
    `heading` is 'subheader', 'label' (bold text, for a block inside columns)
    or 'none'. `default_shows` names, per filter it follows, the value it shows
    while that filter is at its default (a section on phone contacts unless
    another channel is chosen: {CHANNEL: 'phone'}), so choosing that value
    changes nothing there by design."""
    stack: list[Section] = getattr(_page, "stack", None)
    if stack is None:
        begin_page()
        stack = _page.stack
    parent = stack[-1] if stack else None
    s = Section(key=key, follows=None if follows == BY_PARTS else frozenset(follows), parent=parent,
                default_shows=dict(default_shows or {}))
    with st.container(key=f"{KEY_PREFIX}{key}"):
        if title and heading == "subheader":
            st.subheader(title, help=help)
        elif title and heading == "label":
            st.markdown(f"**{title}**", help=help)
        _record(s)
        # Filters an enclosing section does not follow are noted there already.
        missing = {k: a for k, a in active_filters().items()
                   if not s.follows_filter(k) and (parent is None or parent.follows_filter(k))}
        _draw_notes(s, {k: note_text(a, (instead or {}).get(k)) for k, a in missing.items()})
        stack.append(s)
        try:
            yield s
        finally:
            stack.pop()


def not_followed(key: str, instead: str) -> None:
    """Inside a section that follows filter `key`: the figures drawn next cannot
    follow it after all (e.g. a KPI not published by service). Draws the note
    when the filter is set; nothing otherwise."""
    active = active_filters().get(key)
    stack = getattr(_page, "stack", None) or []
    if active is None or not stack:
        return
    s = stack[-1]
    if not s.follows_filter(key) or key in s.noted:
        return  # already noted by this section or one around it
    _draw_notes(s, {key: note_text(active, instead)})


def current() -> Section | None:
    stack = getattr(_page, "stack", None) or []
    return stack[-1] if stack else None
