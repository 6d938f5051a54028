"""The ground truth the warehouse is tested against, computed from the simulation's own event arrays.

Never reads a rendered file. Counts are accumulated per chunk (integer arrays, amounts in integer USD
cents) so the result does not depend on the chunk size or on floating-point summation order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from . import ids as _ids
from .config import (
    CHANNELS,
    DAY,
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
from .truth_backtest import backtest_truth
from .truth_forecast import forecast_by_close_period

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
        self.pipeline = _PipelineTruth()

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
        self.pipeline.add_persons(persons, reached)

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
        self.pipeline.add_deals(deals)

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
        out["pipeline"] = self.pipeline.to_dict()
        return out

    def transitions_dict(self) -> dict[str, Any]:
        return {
            "rule": DIRECTION_RULE,
            "persons": {d: int(v) for d, v in zip(DIRECTIONS, self.person_dirs, strict=True)},
            "deals": {d: int(v) for d, v in zip(DIRECTIONS, self.deal_dirs, strict=True)},
        }


# ------------------------------------------------------------------ pipeline marts
PIPELINE_RULES = {
    "as_of_date": "UTC date of the latest deal event (creation or stage entry): the pipeline marts' as-of date "
    "when var('as_of_date') is not set; ages and open states are measured at the end of that day",
    "open_qualified_at_month_end": "deals whose stay covering the end of the month-end day (the as-of day in the "
    "as-of month) is an open stage; every simulated deal starts at qualification or later",
    "won_cycle_days": "days from deal creation to the closed_won entry, per UTC close month of won deals",
    "stale": "open deals at the as-of end: days in the current stay > p90 (linear interpolation) of finished stays "
    "of that stage, per pipeline ('single_pipeline': all deals in one pipeline, as Salesforce exports them; "
    "'by_pipeline': new business and expansion apart, as HubSpot and generic do); or expected close day before "
    "the as-of date; or probability <= 0.05",
    "owners": "per deal / person owner (owner index), with the owner's id per format and region; leads = persons "
    "owned, converted = owned persons that reached opportunity; cycle over won deals",
}


class _PipelineTruth:
    """Per-deal arrays kept across chunks (a few numbers per deal), reduced in `to_dict`."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = defaultdict(list)
        self.owner_leads: dict[int, int] = defaultdict(int)
        self.owner_converted: dict[int, int] = defaultdict(int)
        self.owner_region: dict[int, int] = {}

    def add_persons(self, persons: Persons, reached: np.ndarray) -> None:
        opp = PERSON_STAGES.index("opportunity")
        for owner, converted in zip(persons.owner.tolist(), (reached >= opp).tolist(), strict=True):
            self.owner_leads[owner] += 1
            self.owner_converted[owner] += int(converted)

    def add_deals(self, deals: Deals) -> None:
        if deals.n == 0:
            return
        offset = sum(a.size for a in self.parts["created"])
        for name in (
            "created",
            "stage",
            "last_t",
            "close_day",
            "probability",
            "amount_usd_cents",
            "owner",
            "pipeline",
            "boost",
        ):
            self.parts[name].append(np.asarray(getattr(deals, name)))
        self.parts["ev_d"].append(deals.ev_d + offset)
        self.parts["ev_s"].append(deals.ev_s)
        self.parts["ev_t"].append(deals.ev_t)

    def _cat(self, name: str) -> np.ndarray:
        parts = self.parts.get(name) or [np.zeros(0, dtype=np.int64)]
        return np.concatenate(parts)

    def to_dict(self) -> dict[str, Any]:
        created, stage, last_t = self._cat("created"), self._cat("stage"), self._cat("last_t")
        if created.size == 0:
            return {"rules": PIPELINE_RULES}
        ev_d, ev_s, ev_t = self._cat("ev_d"), self._cat("ev_s"), self._cat("ev_t")
        order = np.lexsort((ev_t, ev_d))
        ev_d, ev_s, ev_t = ev_d[order], ev_s[order], ev_t[order]
        close_day, prob = self._cat("close_day"), self._cat("probability")
        cents, owner, pipe = self._cat("amount_usd_cents"), self._cat("owner"), self._cat("pipeline")
        as_of_day = int(max(ev_t.max(), created.max()) // DAY)
        as_of_end = (as_of_day + 1) * DAY
        won, lost = stage == W, stage == L
        is_open = ~(won | lost)
        cycle = (last_t - created) / DAY

        # open (qualified) deals at the end of each month-end day
        first_month = int(day_month_index(np.array([created.min() // DAY]))[0])
        last_month = int(day_month_index(np.array([as_of_day]))[0])
        open_at: dict[str, int] = {}
        for m in range(first_month, last_month + 1):
            end_day = min(int(np.datetime64(month_label(m + 1) + "-01", "D").astype(np.int64)) - 1, as_of_day)
            end = (end_day + 1) * DAY
            before = ev_t < end
            last_idx = np.full(created.size, -1, dtype=np.int64)
            np.maximum.at(last_idx, ev_d[before], np.flatnonzero(before))
            exists = last_idx >= 0
            st = np.where(exists, ev_s[np.maximum(last_idx, 0)], -1)
            open_at[month_label(m)] = int((exists & (st >= 0) & (st < W)).sum())

        # won cycle per close month
        months = day_month_index(close_day)
        cycle_by_month = {}
        for m in np.unique(months[won]).tolist():
            c = cycle[won & (months == m)]
            cycle_by_month[month_label(m)] = {
                "won_count": int(c.size),
                "cycle_days_sum": float(c.sum()),
                "cycle_days_median": float(np.median(c)),
            }

        # stale deals
        same = ev_d[1:] == ev_d[:-1]
        spell_stage, spell_days = ev_s[:-1][same], (ev_t[1:] - ev_t[:-1])[same] / DAY
        spell_pipe = pipe[ev_d[:-1][same]]
        days_in_stage = (as_of_end - last_t) / DAY
        past_expected = is_open & (close_day < as_of_day)
        low_prob = is_open & (prob <= 0.05 + 1e-12)

        def stale(split: bool) -> dict[str, int]:
            over = np.zeros(created.size, dtype=bool)
            for s in range(W):
                for p in np.unique(pipe).tolist() if split else [None]:
                    sel = spell_stage == s if p is None else (spell_stage == s) & (spell_pipe == p)
                    if not sel.any():
                        continue
                    p90 = float(np.percentile(spell_days[sel], 90))
                    target = is_open & (stage == s) & (True if p is None else pipe == p)
                    over |= target & (days_in_stage > p90)
            any_reason = over | past_expected | low_prob
            return {
                "stale_deals": int(any_reason.sum()),
                "over_stage_p90": int(over.sum()),
                "past_expected_close": int(past_expected.sum()),
                "low_probability": int(low_prob.sum()),
            }

        # owners and regions
        by_owner: dict[str, Any] = {}
        owners = sorted(set(owner.tolist()) | set(self.owner_leads))
        for o in owners:
            mine = owner == o
            c = cycle[won & mine]
            by_owner[str(o)] = {
                "ids": {
                    "salesforce": _ids.sf_id("005", o + 1),
                    "hubspot": str(_ids.HS_OWNER_BASE + o),
                    "generic": _ids.prefixed_id("U", o + 1, 5),
                },
                "leads": int(self.owner_leads.get(o, 0)),
                "converted": int(self.owner_converted.get(o, 0)),
                "won_count": int((won & mine).sum()),
                "lost_count": int((lost & mine).sum()),
                "won_amount": round(int(cents[won & mine].sum()) / 100, 2),
                "cycle_days_sum": float(c.sum()),
                "cycle_days_median": float(np.median(c)) if c.size else None,
                "open_count": int((is_open & mine).sum()),
                "open_amount": round(int(cents[is_open & mine].sum()) / 100, 2),
            }
        return {
            "rules": PIPELINE_RULES,
            "as_of_date": str(np.datetime64(as_of_day, "D")),
            "open_qualified_at_month_end": open_at,
            "won_cycle_by_close_month": cycle_by_month,
            "stale": {"single_pipeline": stale(False), "by_pipeline": stale(True)},
            "by_owner": by_owner,
            "forecast_backtest": backtest_truth(ev_d, ev_s, ev_t, stage, self._cat("boost"), as_of_day),
            "forecast_by_close_period": forecast_by_close_period(stage, close_day, prob, cents, as_of_day),
        }
