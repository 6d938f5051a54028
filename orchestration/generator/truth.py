"""The ground truth the warehouse is tested against, computed from the simulation's own event arrays.

Never reads a rendered file. Counts are accumulated per chunk (integer arrays, amounts in integer USD
cents) so the result does not depend on the chunk size or on floating-point summation order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from .config import (
    CHANNELS,
    DEAL_STAGES,
    DEAL_TYPES,
    DQ,
    LEAD,
    N_FUNNEL_PERSON,
    OPEN_DEAL_STAGES,
    PERSON_STAGES,
    L,
    W,
)
from .deals import Deals
from .people import Persons
from .timeutil import day_month_index, month_index, month_label

DIRECTIONS = ["forward", "skip", "backward", "reopen"]
DIRECTION_RULE = (
    "one transition per pair of consecutive stage entries of an entity (the first entry is not a transition); "
    "from an exit (disqualified, closed_lost) to any stage = reopen; into an exit = forward; otherwise by "
    "stage order: next stage = forward, further = skip, earlier = backward (customer -> advocate is a skip)"
)
# person stats: persons, reached x 9, disqualified
_P_STATS = 1 + N_FUNNEL_PERSON + 1
# deal stats: deals, reached x 5, won, won_cents, lost, lost_cents, lost_at x 4, open, open_at x 4, open_cents
_D_REACHED, _D_WON, _D_LOST, _D_LOST_AT, _D_OPEN, _D_OPEN_AT, _D_OPEN_CENTS = 1, 6, 8, 10, 14, 15, 19
_D_STATS = 20


def directions(entity: np.ndarray, stage: np.ndarray, exit_stage: int) -> tuple[np.ndarray, np.ndarray]:
    """Direction code per consecutive pair (and the index of the pair's second event)."""
    same = entity[1:] == entity[:-1]
    frm, to = stage[:-1][same], stage[1:][same]
    diff = to - frm
    code = np.select(
        [frm == exit_stage, to == exit_stage, diff == 1, diff > 1],
        [3, 0, 0, 1],
        2,
    )
    return code, np.flatnonzero(same) + 1


class _Grouped:
    def __init__(self, width: int) -> None:
        self.width = width
        self.groups: dict[str, dict[Any, np.ndarray]] = defaultdict(dict)

    def add(self, dim: str, keys: np.ndarray, stats: np.ndarray, label) -> None:
        uniq, inv = np.unique(keys, return_inverse=True)
        sums = np.zeros((uniq.size, self.width), dtype=np.int64)
        np.add.at(sums, inv, stats)
        for k, row in zip(uniq.tolist(), sums, strict=True):
            name = label(k)
            cur = self.groups[dim].get(name)
            self.groups[dim][name] = row if cur is None else cur + row


class Truth:
    """Accumulates per chunk; `to_dict` renders the truth.json sections."""

    def __init__(self) -> None:
        self.persons = _Grouped(_P_STATS)
        self.deals = _Grouped(_D_STATS)
        self.person_entries = np.zeros(len(PERSON_STAGES), dtype=np.int64)
        self.deal_entries = np.zeros(len(DEAL_STAGES), dtype=np.int64)
        self.person_dirs = np.zeros(4, dtype=np.int64)
        self.deal_dirs = np.zeros(4, dtype=np.int64)
        self.examples: dict[str, int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.mql_score_75_never_mql = 0

    # ----------------------------------------------------------------- persons
    def add_persons(self, persons: Persons) -> None:
        n = persons.n
        funnel = persons.ev_s != DQ
        reached = np.full(n, -1, dtype=np.int64)
        np.maximum.at(reached, persons.ev_p[funnel], persons.ev_s[funnel])
        dq = np.zeros(n, dtype=bool)
        dq[persons.ev_p[~funnel]] = True
        stats = np.zeros((n, _P_STATS), dtype=np.int64)
        stats[:, 0] = 1
        stats[:, 1 : 1 + N_FUNNEL_PERSON] = reached[:, None] >= np.arange(N_FUNNEL_PERSON)[None, :]
        stats[:, -1] = dq
        first_t = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_t, persons.ev_p, persons.ev_t)
        self.persons.add("overall", np.zeros(n, dtype=np.int64), stats, lambda k: "all")
        self.persons.add("by_channel", persons.channel, stats, lambda k: CHANNELS[k])
        self.persons.add("by_cohort_month", month_index(first_t), stats, month_label)
        self.person_entries += np.bincount(persons.ev_s, minlength=len(PERSON_STAGES))
        code, second = directions(persons.ev_p, persons.ev_s, DQ)
        self.person_dirs += np.bincount(code, minlength=4)
        self.mql_score_75_never_mql += int(((persons.score >= 75) & (reached < 2)).sum())
        self._example("person_skip", persons.pid, persons.ev_p[second[code == 1]])
        recycled = second[(code == 2) & (persons.ev_s[second] == LEAD)]
        self._example("person_recycle", persons.pid, persons.ev_p[recycled])

    # ------------------------------------------------------------------- deals
    def add_deals(self, deals: Deals, channel_of_deal: np.ndarray) -> None:
        n = deals.n
        if n == 0:
            return
        not_lost = deals.ev_s != L
        reached = np.full(n, -1, dtype=np.int64)
        np.maximum.at(reached, deals.ev_d[not_lost], deals.ev_s[not_lost])
        won = deals.stage == W
        lost = deals.stage == L
        is_open = ~(won | lost)
        cents = deals.amount_usd_cents
        stats = np.zeros((n, _D_STATS), dtype=np.int64)
        stats[:, 0] = 1
        stats[:, _D_REACHED : _D_REACHED + 5] = reached[:, None] >= np.arange(5)[None, :]
        stats[:, _D_WON] = won
        stats[:, _D_WON + 1] = np.where(won, cents, 0)
        stats[:, _D_LOST] = lost
        stats[:, _D_LOST + 1] = np.where(lost, cents, 0)
        stats[:, _D_LOST_AT : _D_LOST_AT + 4] = deals.lost_at[:, None] == np.arange(4)[None, :]
        stats[:, _D_OPEN] = is_open
        stats[:, _D_OPEN_AT : _D_OPEN_AT + 4] = is_open[:, None] & (
            deals.stage[:, None] == np.arange(4)[None, :]
        )
        stats[:, _D_OPEN_CENTS] = np.where(is_open, cents, 0)
        self.deals.add("overall", np.zeros(n, dtype=np.int64), stats, lambda k: "all")
        self.deals.add("by_channel", channel_of_deal, stats, lambda k: CHANNELS[k])
        self.deals.add("by_created_month", month_index(deals.created), stats, month_label)
        self.deals.add("by_close_month", day_month_index(deals.close_day), stats, month_label)
        self.deals.add("by_deal_type", deals.dtype, stats, lambda k: DEAL_TYPES[k])
        self.deal_entries += np.bincount(deals.ev_s, minlength=len(DEAL_STAGES))
        code, second = directions(deals.ev_d, deals.ev_s, L)
        self.deal_dirs += np.bincount(code, minlength=4)
        self._example("deal_regression", deals.did, deals.ev_d[second[code == 2]])
        self._example("deal_reopen", deals.did, deals.ev_d[second[code == 3]])

    def _example(self, name: str, global_ids: np.ndarray, local: np.ndarray) -> None:
        if name not in self.examples and local.size:
            self.examples[name] = int(global_ids[local[0]])

    # ------------------------------------------------------------------ output
    def persons_dict(self) -> dict[str, Any]:
        def row(v: np.ndarray) -> dict[str, Any]:
            return {
                "persons": int(v[0]),
                "reached": {PERSON_STAGES[k]: int(v[1 + k]) for k in range(N_FUNNEL_PERSON)},
                "disqualified": int(v[-1]),
            }

        out: dict[str, Any] = {
            dim: {k: row(v) for k, v in sorted(g.items())} for dim, g in self.persons.groups.items()
        }
        out["overall"] = out["overall"]["all"]
        out["entries"] = {s: int(v) for s, v in zip(PERSON_STAGES, self.person_entries, strict=True)}
        out["score_ge_75_never_mql"] = self.mql_score_75_never_mql
        return out

    def deals_dict(self) -> dict[str, Any]:
        def row(v: np.ndarray) -> dict[str, Any]:
            return {
                "deals": int(v[0]),
                "reached": {DEAL_STAGES[k]: int(v[_D_REACHED + k]) for k in range(5)},
                "won_count": int(v[_D_WON]),
                "won_amount": round(int(v[_D_WON + 1]) / 100, 2),
                "lost_count": int(v[_D_LOST]),
                "lost_amount": round(int(v[_D_LOST + 1]) / 100, 2),
                "lost_at_stage": {DEAL_STAGES[k]: int(v[_D_LOST_AT + k]) for k in range(OPEN_DEAL_STAGES)},
                "open_count": int(v[_D_OPEN]),
                "open_at_stage": {DEAL_STAGES[k]: int(v[_D_OPEN_AT + k]) for k in range(OPEN_DEAL_STAGES)},
                "open_amount": round(int(v[_D_OPEN_CENTS]) / 100, 2),
            }

        out: dict[str, Any] = {
            dim: {k: row(v) for k, v in sorted(g.items())} for dim, g in self.deals.groups.items()
        }
        out["overall"] = out.get("overall", {}).get("all", row(np.zeros(_D_STATS, dtype=np.int64)))
        out["entries"] = {s: int(v) for s, v in zip(DEAL_STAGES, self.deal_entries, strict=True)}
        return out

    def transitions_dict(self) -> dict[str, Any]:
        return {
            "rule": DIRECTION_RULE,
            "persons": {d: int(v) for d, v in zip(DIRECTIONS, self.person_dirs, strict=True)},
            "deals": {d: int(v) for d, v in zip(DIRECTIONS, self.deal_dirs, strict=True)},
        }
