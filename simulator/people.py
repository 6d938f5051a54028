"""Persons and their lifecycle up to the hand-off to sales (opportunity), simulated step by step.

The simulation loops over a small number of steps, each vectorised over every still-moving person:
skips (subscriber → mql, lead → sql, mql → sql), regressions (sql → sal), recycling (mql/sal → lead,
then maybe mql again = a re-entry) and disqualification at several stages. Later stages (customer,
repeat_customer, advocate) follow from deals and referrals and are added by `deals` and `marketing`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .company import Accounts, Owners
from .config import (
    CHANNEL_WEIGHTS,
    COUNTRIES,
    DAY,
    DQ,
    LEAD,
    MQL,
    OPP,
    REFERRAL,
    SAL,
    SQL,
    SUB,
)
from .timeutil import sample_times

# Targets of one step: columns are SUB, LEAD, MQL, SAL, SQL, OPP, DQ, STOP.
_TARGETS = np.array([SUB, LEAD, MQL, SAL, SQL, OPP, DQ, -1])
_STOP = 7
_P = np.zeros((6, 8))
_P[SUB, [LEAD, MQL]] = [0.50, 0.06]
_P[LEAD, [MQL, SQL, 6]] = [0.38, 0.03, 0.10]
_P[MQL, [SAL, SQL, LEAD, 6]] = [0.52, 0.08, 0.20, 0.06]
_P[SAL, [SQL, LEAD, 6]] = [0.55, 0.10, 0.15]
_P[SQL, [OPP, SAL, 6]] = [0.62, 0.06, 0.14]
_SKILLED = [(MQL, SAL), (SAL, SQL), (SQL, OPP)]  # (from, target column) scaled by the owner's skill
_MEAN_DAYS = np.array([20.0, 12.0, 1.5, 6.0, 8.0, 1.0])
MAX_STEPS = 14


@dataclass
class Persons:
    """One chunk of persons; `pid` is the global person index (ids derive from it)."""

    pid: np.ndarray
    account: np.ndarray
    owner: np.ndarray
    channel: np.ndarray
    country: np.ndarray
    tz: np.ndarray  # utc offset minutes
    first: np.ndarray
    last: np.ndarray
    title: np.ndarray
    created: np.ndarray  # first stage entry (UTC seconds)
    score: np.ndarray
    # lifecycle events (local person index, stage, time), all <= as_of
    ev_p: np.ndarray
    ev_s: np.ndarray
    ev_t: np.ndarray

    @property
    def n(self) -> int:
        return self.pid.shape[0]


def make_persons(
    rng: np.random.Generator,
    start_pid: int,
    n: int,
    accounts: Accounts,
    owners: Owners,
    day_starts: np.ndarray,
    day_probs: np.ndarray,
    as_of_t: int,
) -> Persons:
    account = rng.integers(0, accounts.n, size=n)
    country = accounts.country[account]
    tz_choices = [c[4] for c in COUNTRIES]
    pick = rng.random(n)
    tz = np.zeros(n, dtype=np.int64)
    for ci, offsets in enumerate(tz_choices):
        mask = country == ci
        tz[mask] = np.array(offsets)[(pick[mask] * len(offsets)).astype(np.int64)]
    channel = rng.choice(len(CHANNEL_WEIGHTS), size=n, p=np.array(CHANNEL_WEIGHTS) / sum(CHANNEL_WEIGHTS))
    owner = owners.pick(rng, accounts.region[account], accounts.segment[account])
    created = np.minimum(sample_times(rng, n, day_starts, day_probs, tz), as_of_t - 3600)
    first_stage = np.where((channel == REFERRAL) | (rng.random(n) < 0.62), LEAD, SUB)
    ev_p, ev_s, ev_t = _simulate_lifecycle(rng, first_stage, created, owners.skill[owner], as_of_t)
    reached = np.zeros(n, dtype=np.int64)
    np.maximum.at(reached, ev_p, np.where(ev_s == DQ, 0, ev_s))
    base = 12 + 14 * np.minimum(reached, OPP) + rng.normal(0, 9, size=n)
    hot = (reached < MQL) & (rng.random(n) < 0.05)  # scored >= 75 but never handed over
    score = np.clip(np.where(hot, rng.integers(75, 96, size=n), base), 0, 100).astype(np.int64)
    return Persons(
        pid=np.arange(start_pid, start_pid + n, dtype=np.int64),
        account=account,
        owner=owner,
        channel=channel,
        country=country,
        tz=tz,
        first=rng.integers(0, 1_000_000, size=n),
        last=rng.integers(0, 1_000_000, size=n),
        title=rng.integers(0, 10, size=n),
        created=created,
        score=score,
        ev_p=ev_p,
        ev_s=ev_s,
        ev_t=ev_t,
    )


def _simulate_lifecycle(
    rng: np.random.Generator, first_stage: np.ndarray, created: np.ndarray, skill: np.ndarray, as_of_t: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = first_stage.shape[0]
    idx = np.arange(n)
    parts_p, parts_s, parts_t = [idx], [first_stage], [created]
    cur = first_stage.copy()
    t = created.copy()
    recycles = np.zeros(n, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    for _ in range(MAX_STEPS):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        s = cur[a]
        probs = _P[s].copy()
        for frm, col in _SKILLED:
            rows = s == frm
            probs[rows, col] *= skill[a[rows]]
        probs[recycles[a] >= 2, LEAD] = 0.0  # a third recycle becomes "stays where it is"
        probs[:, _STOP] = 0.0
        total = probs.sum(axis=1)
        probs /= np.maximum(total, 0.97)[:, None]
        probs[:, _STOP] = 1.0 - probs.sum(axis=1)
        choice = (rng.random(a.size)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        choice = np.minimum(choice, _STOP)
        target = _TARGETS[choice]
        delay = np.maximum(rng.exponential(_MEAN_DAYS[s] * DAY), 60).astype(np.int64)
        new_t = t[a] + delay
        moves = (target >= 0) & (new_t <= as_of_t)
        active[a[~moves]] = False
        m = a[moves]
        tgt = target[moves]
        recycles[m] += (tgt == LEAD) & (cur[m] > LEAD)
        cur[m] = tgt
        t[m] = new_t[moves]
        parts_p.append(m)
        parts_s.append(tgt)
        parts_t.append(new_t[moves])
        active[m[(tgt == OPP) | (tgt == DQ)]] = False
    ev_p = np.concatenate(parts_p)
    ev_s = np.concatenate(parts_s).astype(np.int64)
    ev_t = np.concatenate(parts_t).astype(np.int64)
    order = np.lexsort((ev_t, ev_p))
    return ev_p[order], ev_s[order], ev_t[order]


def add_events(persons: Persons, p: np.ndarray, s: np.ndarray, t: np.ndarray) -> None:
    """Append later lifecycle events (customer, repeat_customer, advocate) and keep them time-ordered."""
    ev_p = np.concatenate([persons.ev_p, p])
    ev_s = np.concatenate([persons.ev_s, s]).astype(np.int64)
    ev_t = np.concatenate([persons.ev_t, t]).astype(np.int64)
    order = np.lexsort((ev_s, ev_t, ev_p))
    persons.ev_p, persons.ev_s, persons.ev_t = ev_p[order], ev_s[order], ev_t[order]
