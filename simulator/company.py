"""The company around the funnel: owners (reps, managers, VP), accounts, products and campaigns.

These are generated once per run from the master random stream; persons and deals (generated in
chunks) refer to them by index.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date

import numpy as np

from .config import (
    CAMPAIGN_CHANNELS,
    CHANNELS,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    CUSTOMER_SEGMENTS_CSV,
    DAY,
    EMAIL,
    EVENTS,
    INDUSTRIES,
    PAID_SEARCH,
    PAID_SOCIAL,
    PARTNER,
    REGIONS,
)
from .timeutil import epoch_seconds, window_start

SEGMENTS = ["smb", "mid_market", "enterprise"]
TEAM_NAMES = ["SMB", "Mid-Market", "Enterprise"]
REGION_TZ = {"AMER": -300, "EMEA": 60, "APAC": 480}


@dataclass
class Owners:
    """Index 0 is the VP, 1..9 the managers of (region, team), then the reps."""

    n: int
    region: np.ndarray  # index into REGIONS
    team: np.ndarray  # index into TEAM_NAMES (-1 for the VP)
    manager: np.ndarray  # owner index, -1 for none
    skill: np.ndarray  # multiplies conversion and win rates of the rep's entities
    first: np.ndarray
    last: np.ndarray
    tz: np.ndarray  # utc offset minutes
    created: np.ndarray
    reps_by_team: np.ndarray  # rep indices sorted by team key region*3+segment
    team_start: np.ndarray
    team_count: np.ndarray

    def pick(self, rng: np.random.Generator, region: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """A rep of the entity's region and segment team, uniformly."""
        key = region * 3 + segment
        offset = (rng.random(key.shape[0]) * self.team_count[key]).astype(np.int64)
        return self.reps_by_team[self.team_start[key] + offset]


@dataclass
class Accounts:
    n: int
    country: np.ndarray  # index into COUNTRIES
    region: np.ndarray
    employees: np.ndarray
    segment: np.ndarray  # index into SEGMENTS
    industry: np.ndarray
    name_a: np.ndarray
    name_b: np.ndarray
    owner: np.ndarray
    created: np.ndarray
    annual_revenue: np.ndarray


@dataclass
class Campaigns:
    """Per campaign channel: 2 parallel series (brand / generic) × `slices` consecutive periods."""

    n: int
    channel: np.ndarray
    series: np.ndarray
    slice_start: np.ndarray  # epoch seconds
    slice_end: np.ndarray
    platform: np.ndarray  # str; "" for campaigns without an ad platform
    currency: np.ndarray  # index into the currency list
    daily_budget: np.ndarray  # in campaign currency, whole units
    utm: list[str]
    names: list[str]
    slices: int
    window_start: int
    slice_len: int
    first_of_channel: dict[int, int]

    def pick(self, rng: np.random.Generator, channel: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The campaign of a touch: the channel's campaign running at t (-1 for channels without)."""
        out = np.full(channel.shape[0], -1, dtype=np.int64)
        sl = np.clip((t - self.window_start) // self.slice_len, 0, self.slices - 1)
        series = rng.integers(0, 2, size=channel.shape[0])
        for ch, first in self.first_of_channel.items():
            mask = channel == ch
            out[mask] = first + series[mask] * self.slices + sl[mask]
        return out


def segment_bands() -> list[tuple[str, int, int | None]]:
    with open(CUSTOMER_SEGMENTS_CSV, newline="") as fh:
        return [
            (r["segment"], int(r["min_employees"]), int(r["max_employees"]) if r["max_employees"] else None)
            for r in csv.DictReader(fh)
        ]


def segment_of(employees: np.ndarray) -> np.ndarray:
    """Segment index per customer_segments.csv bands (inclusive min and max; data/ copy of the seed)."""
    out = np.zeros(employees.shape[0], dtype=np.int64)
    for name, lo, hi in segment_bands():
        mask = employees >= lo
        if hi is not None:
            mask &= employees <= hi
        out[mask] = SEGMENTS.index(name)
    return out


def make_owners(rng: np.random.Generator, leads: int, as_of: date) -> Owners:
    n_reps = int(np.clip(leads // 2_500, 9, 400))
    n_mgr = len(REGIONS) * len(TEAM_NAMES)
    n = 1 + n_mgr + n_reps
    region = np.zeros(n, dtype=np.int64)
    team = np.full(n, -1, dtype=np.int64)
    manager = np.full(n, -1, dtype=np.int64)
    mgr_keys = np.arange(n_mgr)
    region[1 : 1 + n_mgr] = mgr_keys // 3
    team[1 : 1 + n_mgr] = mgr_keys % 3
    manager[1 : 1 + n_mgr] = 0
    rep_keys = np.arange(n_reps) % n_mgr
    region[1 + n_mgr :] = rep_keys // 3
    team[1 + n_mgr :] = rep_keys % 3
    manager[1 + n_mgr :] = 1 + rep_keys
    skill = np.ones(n)
    skill[1 + n_mgr :] = np.clip(rng.lognormal(0.0, 0.22, size=n_reps), 0.6, 1.6)
    tz = np.array([REGION_TZ[REGIONS[r]] for r in region], dtype=np.int64)
    start = epoch_seconds(window_start(as_of))
    created = start - rng.integers(30, 1500, size=n) * DAY
    reps = np.arange(1 + n_mgr, n)
    keys = region[reps] * 3 + team[reps]
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=n_mgr)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return Owners(
        n=n,
        region=region,
        team=team,
        manager=manager,
        skill=skill,
        first=rng.integers(0, 10_000, size=n),
        last=rng.integers(0, 10_000, size=n),
        tz=tz,
        created=created,
        reps_by_team=reps[order],
        team_start=starts,
        team_count=counts,
    )


def make_accounts(rng: np.random.Generator, leads: int, owners: Owners, as_of: date) -> Accounts:
    n = max(30, leads // 6)
    country = rng.choice(len(COUNTRIES), size=n, p=np.array(COUNTRY_WEIGHTS) / sum(COUNTRY_WEIGHTS))
    region = np.array([REGIONS.index(c[3]) for c in COUNTRIES])[country]
    employees = np.clip(rng.lognormal(np.log(110), 1.5, size=n), 2, 250_000).astype(np.int64)
    segment = segment_of(employees)
    start = epoch_seconds(window_start(as_of))
    return Accounts(
        n=n,
        country=country,
        region=region,
        employees=employees,
        segment=segment,
        industry=rng.integers(0, len(INDUSTRIES), size=n),
        name_a=rng.integers(0, 10_000, size=n),
        name_b=rng.integers(0, 10_000, size=n),
        owner=owners.pick(rng, region, segment),
        created=start - rng.integers(0, 900, size=n) * DAY - rng.integers(0, DAY, size=n),
        annual_revenue=(employees * rng.uniform(80_000, 250_000, size=n)).astype(np.int64) // 1000 * 1000,
    )


def make_campaigns(rng: np.random.Generator, leads: int, as_of: date, currencies: list[str]) -> Campaigns:
    start = epoch_seconds(window_start(as_of))
    end = epoch_seconds(as_of) + DAY
    slices = int(np.clip(3 + leads // 50_000, 3, 21))
    slice_len = -(-(end - start) // slices)
    channel, series, sl_start, sl_end, platform, currency, budget, utm, names = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    first_of_channel: dict[int, int] = {}
    platforms = {PAID_SEARCH: ("google_ads", "bing_ads"), PAID_SOCIAL: ("linkedin_ads", "meta_ads")}
    paid_ccy = [currencies.index(c) for c in ("USD", "EUR", "GBP")]
    kinds = {
        EMAIL: ("newsletter", "nurture"),
        EVENTS: ("conference", "webinar"),
        PARTNER: ("reseller", "alliance"),
    }
    for ch in CAMPAIGN_CHANNELS:
        first_of_channel[ch] = len(channel)
        for s in range(2):
            for k in range(slices):
                a = start + k * slice_len
                b = min(end, a + slice_len)
                month = np.datetime64(a, "s").astype("datetime64[M]")
                kind = ("brand", "generic")[s] if ch in platforms else kinds[ch][s]
                channel.append(ch)
                series.append(s)
                sl_start.append(a)
                sl_end.append(b)
                platform.append(platforms[ch][s] if ch in platforms else "")
                currency.append(
                    paid_ccy[int(rng.integers(0, 3))] if ch in platforms else currencies.index("USD")
                )
                budget.append(int(rng.integers(80, 400)) * max(1, leads // 20_000))
                utm.append(f"{CHANNELS[ch].replace('_', '-')}-{kind}-{month}-{k + 1:02d}")
                names.append(f"{CHANNELS[ch].replace('_', ' ').title()} {kind.title()} {month}")
    return Campaigns(
        n=len(channel),
        channel=np.array(channel),
        series=np.array(series),
        slice_start=np.array(sl_start),
        slice_end=np.array(sl_end),
        platform=np.array(platform, dtype=object),
        currency=np.array(currency),
        daily_budget=np.array(budget),
        utm=utm,
        names=names,
        slices=slices,
        window_start=start,
        slice_len=slice_len,
        first_of_channel=first_of_channel,
    )
