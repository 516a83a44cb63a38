"""The sidebar filters every page shares, kept in the URL.

Each widget has a stable key and `bind="query-params"`, so the URL carries the
view: `?period=March+2026&directorate=Place` opens any page on that month and
directorate, and a link someone shares shows the same figures. A value equal
to the default is left out of the URL; a value that no longer exists (a
month not published yet, a service outside the chosen directorate) is
ignored and the default is used.

Pages ask only for the filters that apply to them; the keys are the same on
every page, so a choice carries over when moving between pages. Each filter
set away from its default is registered with dashboard/sections.py, so every
section of the page that does not follow it says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import data, sections
from dashboard.formatting import period_label
from dashboard.sections import ActiveFilter

# query parameter names (also the widget keys); tests and shared links use them
PERIOD, WINDOW, DIRECTORATE, SERVICE, CHANNEL, WARD = "period", "window", "directorate", "service", "channel", "ward"

# The widget's options. "Every month" is 0, not None: a select box reads None in its
# session state as "nothing chosen", so a shared link to every month would fall back
# to the default. Filters.months is None for every month.
EVERY_MONTH = 0
WINDOWS = {13: "Last 13 months", 25: "Last 25 months", EVERY_MONTH: "Every month"}
DEFAULT_WINDOW = 25

# The organisation and place filters, as a section that does not follow one says so.
BREAKDOWN_NOTES = {
    DIRECTORATE: ("directorate", "the whole council is shown"),
    SERVICE: ("service", "the whole council is shown"),
    CHANNEL: ("channel", "every channel is shown"),
    WARD: ("ward", "every ward is shown"),
}


def breakdown_filter(key: str, chosen: str, noun: str | None = None, instead: str | None = None) -> ActiveFilter:
    """A filter that narrows figures to one group, as a note names it."""
    default_noun, default_instead = BREAKDOWN_NOTES.get(key, (key.replace("_", " "), "everything is shown"))
    return ActiveFilter(key, f"Not broken down by {noun or default_noun} ({chosen} chosen): {{instead}}.",
                        instead or default_instead)


@dataclass(frozen=True)
class Filters:
    period: str
    months: int | None = DEFAULT_WINDOW
    directorate: str | None = None
    service: str | None = None
    channel: str | None = None
    ward: str | None = None

    @property
    def all_channels(self) -> bool:
        return self.channel is None

    @property
    def start(self) -> str:
        """First month of the trend window."""
        return data.window_start(self.period, self.months)

    @property
    def breakdown(self) -> str:
        """The kpi_values breakdown matching the organisation filters ('' for the whole council)."""
        return data.breakdown_key(self.directorate, self.service)

    def scope(self, run: data.Run) -> str:
        """The organisation the figures cover, in words."""
        if self.service:
            return data.label(run, "service", self.service)
        if self.directorate:
            return f"{self.directorate} directorate"
        return "the whole council"


def period(run: data.Run) -> str | None:
    """The month the figures are for (complete months, newest first); None when there is none."""
    periods = data.complete_periods(run)
    if not periods:
        return None
    chosen = st.sidebar.selectbox(
        "Month", periods, format_func=period_label, key=PERIOD, bind="query-params",
        help="The month the figures are for. Survey figures are the latest wave whose fieldwork started by then.")
    sections.use_filter(None if chosen == periods[0] else ActiveFilter(
        PERIOD, f"Not for the month chosen ({period_label(chosen)}): {{instead}}.",
        "it shows the latest figures held"), PERIOD)
    return chosen


def sidebar(run: data.Run, *, window: bool = True, directorate: bool = False, service: bool = False,
            channel: bool = False, ward: bool = False) -> Filters | None:
    """Draw the filters a page uses and return the choice; None when no month is published yet."""
    chosen_period = period(run)
    if chosen_period is None:
        return None
    f = {"period": chosen_period}
    if window:
        months = st.sidebar.selectbox(
            "Trend over", list(WINDOWS), index=list(WINDOWS).index(DEFAULT_WINDOW), format_func=WINDOWS.get,
            key=WINDOW, bind="query-params", help="How many months the trend charts show, ending with the chosen month.")
        f["months"] = None if months == EVERY_MONTH else months
    if directorate:
        f["directorate"] = st.sidebar.selectbox(
            "Directorate", [None, *data.directorates(run)], key=DIRECTORATE, bind="query-params",
            format_func=lambda d: "All directorates" if d is None else d)
    if service:
        svc = data.services(run, f.get("directorate"))
        names = dict(zip(svc["service_code"], svc["service_name"], strict=True))
        f["service"] = st.sidebar.selectbox(
            "Service", [None, *sorted(names, key=names.get)], key=SERVICE, bind="query-params",
            format_func=lambda s, names=names: "All services" if s is None else names[s])
    if channel:
        ch = data.channels(run)
        names = dict(zip(ch["channel"], ch["channel_name"], strict=True))
        f["channel"] = st.sidebar.selectbox(
            "Channel", [None, *names], key=CHANNEL, bind="query-params",
            format_func=lambda c, names=names: "All channels" if c is None else names[c])
    if ward:
        w = data.wards(run)
        names = dict(zip(w["ward_code"], w["ward_name"], strict=True))
        f["ward"] = st.sidebar.selectbox(
            "Ward", [None, *sorted(names, key=names.get)], key=WARD, bind="query-params",
            format_func=lambda c, names=names: "All wards" if c is None else names[c],
            help="Where the resident lives (complaints and the resident survey record it).")
    chosen = Filters(**f)
    _register(run, chosen)
    return chosen


def _register(run: data.Run, f: Filters) -> None:
    """Tell the page's sections which filters are set away from their default."""
    sections.use_filter(None if f.months == DEFAULT_WINDOW else ActiveFilter(
        WINDOW, f"The trend window ({WINDOWS[f.months or EVERY_MONTH]}) does not apply here: {{instead}}.",
        "it shows the month chosen only"), WINDOW)
    for key, value, dimension in ((DIRECTORATE, f.directorate, None), (SERVICE, f.service, "service"),
                                  (CHANNEL, f.channel, "channel"), (WARD, f.ward, "ward_code")):
        chosen = None if value is None else (value if dimension is None else data.label(run, dimension, value))
        sections.use_filter(None if value is None else breakdown_filter(key, chosen), key)


def page_filter(label: str, options: list, *, key: str, format_func, noun: str, instead: str,
                help: str | None = None):
    """A filter of one page in the sidebar, kept in the URL like the shared ones.
    The first option is the default (everything); any other choice is registered
    so the page's sections that do not follow it say so ("not broken down by
    `noun`: `instead`")."""
    chosen = st.sidebar.selectbox(label, options, key=key, bind="query-params", format_func=format_func, help=help)
    sections.use_filter(None if chosen == options[0] else breakdown_filter(key, format_func(chosen), noun, instead),
                        key)
    return chosen
