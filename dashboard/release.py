"""Release information, as GOV.UK and ONS statistics give it: when the data were
last updated and when the next update is due.

The operator sets the schedule the nightly pipeline runs on in
dashboard/release_schedule.toml (a cron expression and a time zone; default
02:30 every night, Europe/London), or in CX_RELEASE_SCHEDULE and
CX_RELEASE_TIMEZONE. "Last updated" is when the run the pages show was
published (its manifest); an update that has not arrived within the grace
period after its scheduled time is said to be late, in words.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SETTINGS_FILE = Path(__file__).resolve().parent / "release_schedule.toml"
DEFAULT_SCHEDULE = "30 2 * * *"
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_GRACE_MINUTES = 120
# the furthest a cron expression can put its next time (29 February, a Monday...)
SEARCH_DAYS = 366 * 8

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of the month", 1, 31), ("month", 1, 12),
          ("day of the week", 0, 7))
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ScheduleError(ValueError):
    """The schedule setting cannot be understood; the message says which part and why."""


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if body == "*":
                start, end = low, high
            elif "-" in body:
                a, b = body.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = int(body)
                end = high if step_text else start
        except ValueError:
            raise ScheduleError(f"the {name} field {text!r} is not a number, *, a list, a range or a step") from None
        if step < 1 or not low <= start <= end <= high:
            raise ScheduleError(f"the {name} field {text!r} must lie within {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Schedule:
    expression: str
    timezone: str
    grace_minutes: int
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday ... 6 = Saturday
    any_day: bool
    any_weekday: bool

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _day_matches(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        in_month, in_week = day.day in self.days, (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:  # cron: with both restricted, either will do
            return in_month and in_week
        return in_month or in_week

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first scheduled time strictly after `moment` (an aware datetime)."""
        local = moment.astimezone(self.zone)
        times = sorted((h, m) for h in self.hours for m in self.minutes)
        for offset in range(SEARCH_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            if not self._day_matches(day):
                continue
            for h, m in times:
                when = _real(dt.datetime(day.year, day.month, day.day, h, m, tzinfo=self.zone), self.zone)
                if when > local:
                    return when
        raise ScheduleError(f"the schedule {self.expression!r} never comes round")

    def last_before(self, moment: dt.datetime) -> dt.datetime | None:
        """The latest scheduled time at or before `moment`, within the search range."""
        local = moment.astimezone(self.zone)
        times = sorted(((h, m) for h in self.hours for m in self.minutes), reverse=True)
        for offset in range(SEARCH_DAYS):
            day = local.date() - dt.timedelta(days=offset)
            if not self._day_matches(day):
                continue
            for h, m in times:
                when = _real(dt.datetime(day.year, day.month, day.day, h, m, tzinfo=self.zone), self.zone)
                if when <= local:
                    return when
        return None

    def in_words(self) -> str:
        """'every night at 02:30 UK time', 'Monday to Friday at 06:00 UK time', or the expression."""
        if len(self.hours) != 1 or len(self.minutes) != 1 or not self.any_day or len(self.months) != 12:
            return f"on the schedule {self.expression!r} ({self.timezone})"
        at = f"{min(self.hours):02d}:{min(self.minutes):02d}"
        zone = "UK time" if self.timezone == "Europe/London" else self.timezone
        if self.any_weekday:
            return f"every {'night' if min(self.hours) < 6 else 'day'} at {at} {zone}"
        days = sorted((d - 1) % 7 for d in self.weekdays)  # Monday first
        if days == [0, 1, 2, 3, 4]:
            return f"Monday to Friday at {at} {zone}"
        return f"every {', '.join(WEEKDAYS[d] for d in days)} at {at} {zone}"


def _real(when: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time the clocks skip (01:30 on the night they go forward) as the
    instant it falls at (02:30 summer time): where cron runs it."""
    return when.astimezone(dt.UTC).astimezone(zone)


def parse(expression: str, timezone: str = DEFAULT_TIMEZONE,
          grace_minutes: int = DEFAULT_GRACE_MINUTES) -> Schedule:
    parts = expression.split()
    if len(parts) != 5:
        raise ScheduleError(f"the schedule {expression!r} must have 5 fields: minute hour day-of-month month "
                            "day-of-week (e.g. '30 2 * * *')")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"the time zone {timezone!r} is not known") from None
    values = [_field(p, *f) for p, f in zip(parts, FIELDS, strict=True)]
    weekdays = frozenset(d % 7 for d in values[4])
    return Schedule(expression, timezone, int(grace_minutes), *values[:4], weekdays,
                    any_day=parts[2] == "*", any_weekday=parts[4] == "*")


def schedule(path: Path = SETTINGS_FILE) -> Schedule:
    """The operator's schedule: the environment, else the reviewed file, else 02:30 nightly."""
    settings: dict = {}
    if path.exists():
        with open(path, "rb") as f:
            settings = tomllib.load(f)
    return parse(os.environ.get("CX_RELEASE_SCHEDULE") or settings.get("schedule") or DEFAULT_SCHEDULE,
                 os.environ.get("CX_RELEASE_TIMEZONE") or settings.get("timezone") or DEFAULT_TIMEZONE,
                 settings.get("grace_minutes", DEFAULT_GRACE_MINUTES))


def published_at(manifest: dict, zone: ZoneInfo) -> dt.datetime | None:
    """When the run was published, as an aware time (older manifests: the server's local clock)."""
    text = manifest.get("published_at_utc") or manifest.get("published_at")
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.astimezone()  # a naive time was written by the server's own clock
    return when.astimezone(zone)


@dataclass(frozen=True)
class Release:
    last_updated: dt.datetime | None
    next_due: dt.datetime
    late_since: dt.datetime | None  # a scheduled update that has not arrived in time
    schedule: Schedule


def release(manifest: dict, now: dt.datetime | None = None, sched: Schedule | None = None) -> Release:
    sched = sched or schedule()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(sched.zone)
    last = published_at(manifest, sched.zone)
    due = sched.next_after(now)
    late = None
    expected = sched.last_before(now - dt.timedelta(minutes=sched.grace_minutes))
    if expected is not None and (last is None or last < expected):
        late = expected
    return Release(last, due, late, sched)


def when_text(moment: dt.datetime) -> str:
    """'02:30 on Thursday 3 December 2026'."""
    return f"{moment:%H:%M} on {moment:%A} {moment.day} {moment:%B %Y}"


def day_text(value) -> str:
    """'2026-11-30 23:59:41' -> '30 November 2026'."""
    try:
        d = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.day} {d:%B %Y}"
