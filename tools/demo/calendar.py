"""Dates the generators share: months in range, open days, working days, trends.

Working days are Monday to Friday less England and Wales bank holidays
(data/reference/bank_holidays.csv), the same rule the complaint KPIs use, so
numpy's business-day functions do the arithmetic vectorised.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt

import numpy as np

SERIES_START = "2021-04"   # the dashboard's data series starts April 2021 (events.csv)


def parse_month(text: str) -> tuple[int, int]:
    y, m = text.split("-")
    year, month = int(y), int(m)
    if not 1 <= month <= 12:
        raise ValueError(f"not a month: {text!r}")
    return year, month


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def months_between(start: str, end: str) -> list[str]:
    y, m = parse_month(start)
    ey, em = parse_month(end)
    out = []
    while (y, m) <= (ey, em):
        out.append(month_label(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def first_day(month: str) -> dt.date:
    y, m = parse_month(month)
    return dt.date(y, m, 1)


def last_day(month: str) -> dt.date:
    y, m = parse_month(month)
    return dt.date(y, m, _stdcal.monthrange(y, m)[1])


def add_months(month: str, n: int) -> str:
    y, m = parse_month(month)
    k = y * 12 + (m - 1) + n
    return month_label(k // 12, k % 12 + 1)


def default_end(today: dt.date | None = None) -> str:
    """The last full calendar month before today."""
    today = today or dt.date.today()
    return add_months(month_label(today.year, today.month), -1)


def month_index(day: dt.date | str) -> float:
    """Months since April 2021 as a float (mid-month ~ .5), for trend lookups."""
    if isinstance(day, str):
        y, m = parse_month(day[:7])
        d = int(day[8:10]) if len(day) >= 10 else 1
    else:
        y, m, d = day.year, day.month, day.day
    dim = _stdcal.monthrange(y, m)[1]
    return (y - 2021) * 12 + (m - 4) + (d - 1) / dim


def month_index_days(days: np.ndarray) -> np.ndarray:
    """month_index for an array of datetime64[D] (vectorised)."""
    d = np.asarray(days, dtype="datetime64[D]")
    m0 = d.astype("datetime64[M]")
    dim = ((m0 + 1).astype("datetime64[D]") - m0.astype("datetime64[D]")).astype(float)
    return (m0.astype(np.int64) - (2021 - 1970) * 12 - 3) + (d - m0.astype("datetime64[D]")).astype(float) / dim


def trend(anchors: dict[str, float], when) -> float | np.ndarray:
    """Linear interpolation between {YYYY-MM: value} anchors, flat outside.

    `when` is a 'YYYY-MM[-DD]' string, a date, an array of datetime64[D] or a
    month index. An anchor 'YYYY-MM' stands for the first day of that month."""
    xs = [month_index(k) for k in anchors]
    ys = list(anchors.values())
    if isinstance(when, (str, dt.date)):
        t = month_index(when)
    elif isinstance(when, np.ndarray) and when.dtype.kind == "M":
        t = month_index_days(when)
    else:
        t = when
    return np.interp(t, xs, ys)


def spring_forward(year: int) -> dt.date:
    """Last Sunday of March: clocks go 01:00 -> 02:00, that hour does not exist locally."""
    d = dt.date(year, 3, 31)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


class WorkCalendar:
    """Open days of the contact centre and working days for complaint timescales."""

    def __init__(self, bank_holidays: list[str]):
        # The reference table runs to 2030; beyond it fall back to the maintained package.
        last_year = max(int(h[:4]) for h in bank_holidays)
        try:
            import holidays as _hol

            extra = [d.isoformat() for y in range(last_year + 1, last_year + 6)
                     for d in _hol.country_holidays("GB", subdiv="ENG", years=y)]
        except Exception:  # the package is optional here
            extra = []
        bank_holidays = sorted(set(bank_holidays) | set(extra))
        self.holidays = np.array(bank_holidays, dtype="datetime64[D]")
        self._holiday_set = {dt.date.fromisoformat(h) for h in bank_holidays}

    def is_bank_holiday(self, day: dt.date) -> bool:
        return day in self._holiday_set

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self._holiday_set

    def next_working_day(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def open_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Days the contact centre and hubs are open: Mon-Fri, not a bank holiday."""
        return self.working_days(start, end)

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
        mask = np.is_busday(days, holidays=self.holidays)
        return [d.astype(dt.date) for d in days[mask]]

    def last_working_day(self, month: str) -> dt.date:
        day = last_day(month)
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def add_working_days(self, received: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day after `received` (datetime64[D]); a weekend
        receipt counts from the following working day, as the KPI rule does."""
        return np.busday_offset(received, n, roll="backward", holidays=self.holidays)

    def working_days_after(self, received: np.ndarray, responded: np.ndarray) -> np.ndarray:
        """Working days after received, up to and including responded (KPI rule)."""
        return np.busday_count(received + 1, responded + 1, holidays=self.holidays)


def days(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)
