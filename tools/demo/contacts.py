"""Every other channel (CRM, web platform, hub bookings): one file per day,
contacts/contacts_YYYYMMDD.csv, every calendar day (online never closes).

Online, email and social media run 24/7 (quieter at night and at weekends);
webchat and face to face follow opening hours on open days. Face to face is at
the Idea Stores until the five Residents' Hubs open on 9 Jan 2023 (sites.csv).
One stream of randomness per day, so each day's file is reproducible on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pyarrow as pa

from tools.demo import calibration as C
from tools.demo import formats as F
from tools.demo.calendar import days, month_label, spring_forward, trend
from tools.demo.calls import season_table
from tools.demo.context import Context, DemoConfig, SourceResult
from tools.demo.faults import CONTACT_FAULTS, fake_phone_number, plant_rows, replace_cells
from tools.demo.randomness import pseudonyms

SOURCE = "contacts"
CHANNELS = ["online", "email", "webchat", "social_media", "face_to_face"]
ALL_DAY = {"online", "email", "social_media"}
AGE_BANDS = ["16-24", "25-34", "35-44", "45-54", "55-64", "65+"]
COLUMNS = ["contact_id", "channel", "service", "customer_hash", "started_at", "completed", "assisted", "site",
           "age_band"]


class Channels:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.services = list(ctx.ref.services)
        unknown = {s for mix in C.SERVICE_MIX.values() for s in mix} - set(self.services)
        if unknown:
            raise ValueError(f"calibration names services not in services.csv: {sorted(unknown)}")
        self.season = season_table(self.services)
        self.mix = {ch: np.array([C.SERVICE_MIX[ch].get(s, 0.0) for s in self.services]) for ch in CHANNELS}
        for ch in CHANNELS:
            self.mix[ch] /= self.mix[ch].sum()
        first = np.isin(self.services, C.WEBCHAT_FIRST_SERVICES)
        self.webchat_early = np.where(first, self.mix["webchat"], 0.0)
        self.webchat_early /= self.webchat_early.sum()
        self.completion_offset = np.array([C.ONLINE_SERVICE_COMPLETION_OFFSET.get(s, 0.0) for s in self.services])
        self.sites = self._sites(ctx)
        self.pool = max(5_000, int(C.CUSTOMER_POOL * ctx.scale))
        self.hubs_open = dt.date.fromisoformat(C.HUBS_OPEN)
        self.webchat_launch = dt.date.fromisoformat(C.WEBCHAT_LAUNCH)
        self.webchat_all = C.WEBCHAT_ALL_SERVICES_FROM

    @staticmethod
    def _sites(ctx: Context) -> dict[str, tuple[list[str], np.ndarray]]:
        out = {}
        for kind in ("idea_store", "residents_hub"):
            names = ctx.ref.sites_of_type(kind)
            w = np.array([next((v for k, v in C.SITE_WEIGHT.items() if name.endswith(k)), 1.0) for name in names])
            out[kind] = (names, w / w.sum())
        return out

    def expected(self, ch: str, day: dt.date, open_day: bool, bank_holiday: bool) -> tuple[float, np.ndarray]:
        """Expected contacts in a channel on a day, and the service probabilities."""
        m = day.month - 1
        mix = self.mix[ch]
        if ch == "webchat" and month_label(day.year, day.month) < self.webchat_all:
            mix = self.webchat_early
        weighted = mix * self.season[:, m]
        seasonal = weighted.sum()
        if ch in ALL_DAY:
            per_year = {"online": C.ONLINE_PER_YEAR, "email": C.EMAIL_PER_YEAR, "social_media": C.SOCIAL_PER_YEAR}[ch]
            lam = trend(per_year, day) / 365.25 * C.CONTACT_DOW[ch][day.weekday()]
            if bank_holiday:
                lam *= C.BANK_HOLIDAY_FACTOR
        else:
            if not open_day or (ch == "webchat" and day < self.webchat_launch):
                return 0.0, weighted / seasonal
            if ch == "webchat":
                lam = trend(C.WEBCHAT_PER_YEAR, day) / C.OPEN_DAYS_PER_YEAR
            else:
                lam = trend(C.F2F_PER_MONTH, day) * 12 / C.OPEN_DAYS_PER_YEAR
            lam *= C.CONTACT_DOW[ch][day.weekday()]
            if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
                lam *= C.CHRISTMAS_WEEK
        return lam * seasonal * self.ctx.scale, weighted / seasonal

    def times(self, ch: str, day: dt.date, n: int, rng) -> np.ndarray:
        """Seconds after midnight."""
        if ch in ALL_DAY:
            p = np.array(C.HOURLY[ch]) / sum(C.HOURLY[ch])
            hour = rng.choice(24, size=n, p=p)
            if day == spring_forward(day.year):  # 01:00-01:59 does not exist that night
                hour[hour == 1] = 2
            return hour * 3600 + rng.integers(0, 3600, size=n)
        p = np.array(C.HOURLY_OPEN[ch]) / sum(C.HOURLY_OPEN[ch])
        return C.F2F_DAY_OPEN_S + rng.choice(len(p), size=n, p=p) * 3600 + rng.integers(0, 3600, size=n)

    def day(self, day: dt.date, rng) -> tuple[pa.Table, dict[str, int]]:
        open_day = self.ctx.calendar.is_working_day(day)
        bank_holiday = self.ctx.calendar.is_bank_holiday(day)
        parts = defaultdict(list)
        counts: dict[str, int] = {}
        for ci, ch in enumerate(CHANNELS):
            lam, service_p = self.expected(ch, day, open_day, bank_holiday)
            noise = rng.gamma(1 / C.DAILY_NOISE_CV**2, C.DAILY_NOISE_CV**2)
            n = int(rng.poisson(lam * noise))
            service = rng.choice(len(self.services), size=n, p=service_p)
            if ch == "online":
                completed = rng.random(n) < np.clip(trend(C.ONLINE_COMPLETION, day) + self.completion_offset[service],
                                                    0.3, 0.99)
                counts[ch] = int(completed.sum())  # finance pays per completed transaction
            else:
                completed = np.ones(n, dtype=bool)
                counts[ch] = n
            assisted = (rng.random(n) < trend(C.ASSISTED, day)) if ch == "face_to_face" else np.zeros(n, dtype=bool)
            site = np.full(n, -1)
            if ch == "face_to_face":
                kind = "residents_hub" if day >= self.hubs_open else "idea_store"
                names, w = self.sites[kind]
                site = rng.choice(len(names), size=n, p=w) + (0 if kind == "idea_store" else 100)
            age = rng.choice(6, size=n, p=np.array(C.AGE_PROFILE[ch]) / sum(C.AGE_PROFILE[ch]))
            age_known = rng.random(n) < C.AGE_RECORDED[ch]
            customer = rng.integers(0, self.pool, size=n)
            customer[rng.random(n) >= C.CUSTOMER_IDENTIFIED] = -1
            parts["channel"].append(np.full(n, ci))
            parts["service"].append(service)
            parts["start"].append(self.times(ch, day, n, rng))
            parts["completed"].append(completed)
            parts["assisted"].append(assisted)
            parts["site"].append(site)
            parts["age"].append(np.where(age_known, age, -1))
            parts["customer"].append(customer)
        c = {k: np.concatenate(v) for k, v in parts.items()}
        order = np.argsort(c["start"], kind="stable")
        c = {k: v[order] for k, v in c.items()}
        n = len(order)
        site_names = self.sites["idea_store"][0] + [""] * (100 - len(self.sites["idea_store"][0])) + \
            self.sites["residents_hub"][0]
        return pa.table({
            "contact_id": F.sequence_ids(f"K{day:%Y%m%d}", np.arange(1, n + 1), 6),
            "channel": F.labels(CHANNELS, c["channel"]),
            "service": F.labels(self.services, c["service"]),
            "customer_hash": pseudonyms(np.maximum(c["customer"], 0), self.ctx.config.seed, "customer",
                                        c["customer"] >= 0),
            "started_at": F.timestamps(F.day_number(day) * 86400 + c["start"]),
            "completed": F.yes_no(c["completed"]),
            "assisted": F.yes_no(c["assisted"]),
            "site": F.labels(site_names, np.maximum(c["site"], 0), c["site"] >= 0),
            "age_band": F.labels(AGE_BANDS, np.maximum(c["age"], 0), c["age"] >= 0),
        }), counts


def generate(config: DemoConfig) -> SourceResult:
    ctx = Context(config)
    channels = Channels(ctx)
    all_days = list(days(config.start_date, config.end_date))
    pii_day = None
    if config.faults and len(all_days) > 2:
        pii_day = all_days[int(ctx.rng("contacts-files").integers(1, len(all_days) - 1))]
    volumes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day in all_days:
        table, counts = channels.day(day, ctx.rng("contacts", day.toordinal()))
        month = volumes[month_label(day.year, day.month)]
        for ch, k in counts.items():
            month[ch] += k
        name = f"contacts_{day:%Y%m%d}.csv"
        if day == pii_day:
            table = _leak_phone_numbers(ctx, table, name)
        elif config.faults:
            table = plant_rows(table, CONTACT_FAULTS, C.ROW_FAULT_RATE, ctx.rng("contacts-faults", day.toordinal()),
                               ctx.faults, SOURCE, name)
        ctx.delivery.arrow_csv(SOURCE, name, table)
    return ctx.result({m: dict(v) for m, v in volumes.items()})


def _leak_phone_numbers(ctx: Context, table: pa.Table, name: str) -> pa.Table:
    """A data-protection breach: a CRM export where a few customer_hash cells hold the
    phone number itself. The pipeline must refuse the whole file."""
    rng = ctx.rng("contacts-pii")
    k = min(table.num_rows, int(rng.integers(3, 6)))
    if k == 0:
        return table
    rows = sorted(int(r) for r in rng.choice(table.num_rows, size=k, replace=False))
    values = [fake_phone_number(rng) for _ in rows]
    for r, v in zip(rows, values, strict=True):
        ctx.faults.add(SOURCE, name, r + 1, "phone_number_in_pseudonymised_column", "customer_hash", v)
    return replace_cells(table, "customer_hash", rows, values)
