"""Deals: new business from persons reaching opportunity, then expansion deals on customers.

Each deal moves through the canonical pipeline in a few vectorised steps: forward, skip, regression
(e.g. negotiation → proposal), loss at any open stage, stalling (stays open), and occasionally a
reopen after closed_lost. Won deals make their primary person a customer (first win) and a
repeat_customer (second win), exactly as docs/metrics.md defines those stages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .company import Accounts, Owners
from .config import (
    COUNTRIES,
    CROSS_SELL,
    CUST,
    DAY,
    GENERIC_PROBABILITY,
    NEW_BUSINESS,
    OPP,
    PRODUCTS,
    RENEWAL,
    REPEAT,
    UPSELL,
    L,
    M,
    P,
    Q,
    W,
)
from .fx import FxTable
from .people import Persons, add_events

# Actions from an open stage: forward, skip, back, lose, stall.
_ACT = np.array(
    [
        [0.55, 0.08, 0.00, 0.22, 0.15],
        [0.55, 0.07, 0.00, 0.24, 0.14],
        [0.48, 0.08, 0.07, 0.26, 0.11],
        [0.58, 0.00, 0.08, 0.24, 0.10],
    ]
)
_MEAN_DAYS = np.array([9.0, 12.0, 16.0, 14.0])
_REOPEN_P = 0.08
_REOPEN_DAYS = 35.0
MAX_STEPS = 16
STALE_DAYS = 75  # open deals untouched this long carry a low probability


@dataclass
class Deals:
    did: np.ndarray  # global deal index
    person: np.ndarray  # local person index (primary contact)
    account: np.ndarray
    owner: np.ndarray
    dtype: np.ndarray
    pipeline: np.ndarray  # 0 new business, 1 expansion
    product: np.ndarray
    qty: np.ndarray
    unit: np.ndarray  # whole units of the deal currency
    currency: np.ndarray
    amount: np.ndarray  # whole units of the deal currency
    created: np.ndarray
    variant: np.ndarray  # per-deal label variant (Salesforce meeting label, HubSpot negotiation id)
    ev_d: np.ndarray  # local deal index
    ev_s: np.ndarray
    ev_t: np.ndarray
    stage: np.ndarray  # current canonical stage
    last_t: np.ndarray  # time of the last stage entry
    lost_at: np.ndarray  # last open stage before the final closed_lost (-1 if not lost)
    close_day: np.ndarray  # CloseDate: close day (closed) or expected close day (open), days since epoch
    probability: np.ndarray  # 0-1
    amount_usd_cents: np.ndarray
    boost: np.ndarray  # owner skill x deal-type factor of the stage process (the truth's win probabilities)

    @property
    def n(self) -> int:
        return self.did.shape[0]

    @property
    def closed(self) -> np.ndarray:
        return self.stage >= W


def simulate_pipeline(
    rng: np.random.Generator, start_stage: np.ndarray, created: np.ndarray, boost: np.ndarray, as_of_t: int
):
    """Stage events of deals; returns (ev_d, ev_s, ev_t, stage, last_t, lost_at)."""
    n = start_stage.shape[0]
    parts_d, parts_s, parts_t = [np.arange(n)], [start_stage], [created]
    cur = start_stage.copy()
    t = created.copy()
    last_open = start_stage.copy()
    backs = np.zeros(n, dtype=np.int64)
    reopened = np.zeros(n, dtype=bool)
    active = np.ones(n, dtype=bool)
    for _ in range(MAX_STEPS):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        s = cur[a]
        lost = s == L
        target = np.full(a.size, -1, dtype=np.int64)
        delay = np.zeros(a.size)
        # lost deals: maybe reopen once, into the stage they were lost at
        lo = np.flatnonzero(lost)
        reopen = (~reopened[a[lo]]) & (rng.random(lo.size) < _REOPEN_P)
        target[lo[reopen]] = last_open[a[lo[reopen]]]
        delay[lo] = rng.exponential(_REOPEN_DAYS * DAY, size=lo.size)
        # open deals
        op = np.flatnonzero(~lost)
        so = s[op]
        probs = _ACT[so].copy()
        b = boost[a[op]]
        probs[:, 0] *= b
        probs[:, 1] *= b
        probs[:, 3] /= b
        probs[backs[a[op]] >= 2, 2] = 0.0
        probs /= probs.sum(axis=1)[:, None]
        act = (rng.random(op.size)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        act = np.minimum(act, 4)
        tgt = np.select(
            [act == 0, act == 1, act == 2, act == 3],
            [np.minimum(so + 1, W), np.minimum(so + 2, W), so - 1, L],
            -1,
        )
        target[op] = tgt
        delay[op] = rng.exponential(_MEAN_DAYS[so] * DAY)
        new_t = t[a] + np.maximum(delay, 600).astype(np.int64)
        moves = (target >= 0) & (new_t <= as_of_t)
        active[a[~moves]] = False
        m = a[moves]
        tg = target[moves]
        was = cur[m]
        backs[m] += (tg < was) & (was != L)
        reopened[m] |= was == L
        last_open[m] = np.where(tg == L, was, np.where(tg < W, tg, last_open[m]))
        cur[m] = tg
        t[m] = new_t[moves]
        parts_d.append(m)
        parts_s.append(tg)
        parts_t.append(new_t[moves])
        active[m[tg == W]] = False
    ev_d = np.concatenate(parts_d)
    ev_s = np.concatenate(parts_s).astype(np.int64)
    ev_t = np.concatenate(parts_t).astype(np.int64)
    order = np.lexsort((ev_t, ev_d))
    lost_at = np.where(cur == L, last_open, -1)
    return ev_d[order], ev_s[order], ev_t[order], cur, t, lost_at


def _build(
    rng: np.random.Generator,
    first_did: int,
    person: np.ndarray,
    dtype: np.ndarray,
    created: np.ndarray,
    persons: Persons,
    accounts: Accounts,
    owners: Owners,
    fx: FxTable,
    currency_of_country: np.ndarray,
    as_of_t: int,
) -> Deals:
    n = person.shape[0]
    account = persons.account[person]
    owner = persons.owner[person]
    expansion = dtype != NEW_BUSINESS
    start = np.where(expansion, np.where(rng.random(n) < 0.3, P, Q), np.where(rng.random(n) < 0.12, M, Q))
    boost = owners.skill[owner] * np.where(expansion, 1.3, 1.0)
    ev_d, ev_s, ev_t, stage, last_t, lost_at = simulate_pipeline(rng, start, created, boost, as_of_t)
    families = np.array([p[2] for p in PRODUCTS])
    platform = np.flatnonzero(families == "Platform")
    other = np.flatnonzero(families != "Platform")
    product = np.where(
        (dtype == NEW_BUSINESS) | (dtype == RENEWAL),
        platform[rng.integers(0, platform.size, size=n)],
        other[rng.integers(0, other.size, size=n)],
    )
    seg = accounts.segment[account]
    qty = np.maximum(1, (rng.lognormal(0, 0.5, size=n) * np.array([1.5, 5.0, 18.0])[seg]).astype(np.int64))
    qty = np.where(dtype == UPSELL, np.maximum(1, qty // 3), qty)
    currency = currency_of_country[accounts.country[account]]
    created_day = created // DAY
    rate = fx.rate_micro(currency, created_day)
    list_usd = np.array([p[3] for p in PRODUCTS])[product]
    unit = np.maximum(10, np.round(list_usd * 1_000_000 / rate / 10).astype(np.int64) * 10)
    amount = qty * unit
    closed = stage >= W
    cycle = rng.integers(30, 120, size=n)
    expected_day = created_day + cycle
    close_day = np.where(closed, last_t // DAY, expected_day)
    stale = (~closed) & ((as_of_t - last_t) > STALE_DAYS * DAY)
    prob = np.array(GENERIC_PROBABILITY)[stage]
    prob = np.where(stale, 0.05, prob)
    return Deals(
        did=np.arange(first_did, first_did + n, dtype=np.int64),
        person=person,
        account=account,
        owner=owner,
        dtype=dtype,
        pipeline=expansion.astype(np.int64),
        product=product,
        qty=qty,
        unit=unit,
        currency=currency,
        amount=amount,
        created=created,
        variant=rng.integers(0, 6, size=n),
        ev_d=ev_d,
        ev_s=ev_s,
        ev_t=ev_t,
        stage=stage,
        last_t=last_t,
        lost_at=lost_at,
        close_day=close_day,
        probability=prob,
        amount_usd_cents=fx.to_usd_cents(amount, currency, close_day),
        boost=boost,
    )


def _concat(a: Deals, b: Deals) -> Deals:
    offset = a.n
    out = {}
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if name == "ev_d":
            y = y + offset
        out[name] = np.concatenate([x, y])
    return Deals(**out)


def make_deals(
    rng: np.random.Generator,
    first_did: int,
    persons: Persons,
    accounts: Accounts,
    owners: Owners,
    fx: FxTable,
    as_of_t: int,
) -> Deals:
    """All deals of a chunk of persons, and the persons' customer / repeat_customer events."""
    ccy = np.array([fx.currencies.index(c[2]) for c in COUNTRIES])
    opp = persons.ev_s == OPP
    nb_person = persons.ev_p[opp]
    nb = _build(
        rng,
        first_did,
        nb_person,
        np.full(nb_person.size, NEW_BUSINESS),
        persons.ev_t[opp],
        persons,
        accounts,
        owners,
        fx,
        ccy,
        as_of_t,
    )
    won = nb.stage == W
    cust_person = nb.person[won]
    cust_t = nb.last_t[won]
    k = rng.choice(4, size=cust_person.size, p=[0.4, 0.35, 0.18, 0.07])
    rep_person = np.repeat(cust_person, k)
    rep_t = np.repeat(cust_t, k)
    nth = np.arange(rep_person.size) - np.repeat(np.cumsum(k) - k, k)
    dtype = rng.choice([UPSELL, CROSS_SELL, RENEWAL], size=rep_person.size, p=[0.35, 0.25, 0.40])
    offset_days = (
        np.select(
            [dtype == RENEWAL, dtype == UPSELL],
            [330 + rng.integers(0, 30, size=dtype.size), 20 + rng.exponential(120, size=dtype.size)],
            30 + rng.exponential(160, size=dtype.size),
        )
        + nth * 90
    )
    created = rep_t + (offset_days * DAY).astype(np.int64) + rng.integers(0, DAY, size=dtype.size)
    keep = created <= as_of_t - 3600
    ex = _build(
        rng,
        first_did + nb.n,
        rep_person[keep],
        dtype[keep],
        created[keep],
        persons,
        accounts,
        owners,
        fx,
        ccy,
        as_of_t,
    )
    deals = _concat(nb, ex)
    _add_customer_events(persons, deals)
    return deals


def _add_customer_events(persons: Persons, deals: Deals) -> None:
    """customer = first won deal's close, repeat_customer = second won deal's close (per primary person)."""
    won = np.flatnonzero(deals.stage == W)
    order = won[np.lexsort((deals.last_t[won], deals.person[won]))]
    p = deals.person[order]
    first_of_person = np.ones(p.size, dtype=bool)
    first_of_person[1:] = p[1:] != p[:-1]
    rank = np.arange(p.size) - np.maximum.accumulate(np.where(first_of_person, np.arange(p.size), 0))
    sel = rank < 2
    add_events(persons, p[sel], np.where(rank[sel] == 0, CUST, REPEAT), deals.last_t[order][sel])
