"""Ground truth of the forecast backtest: per past month end, the deals open then, how many of them were
eventually won (by the as-of date) or won in the following month, and the sum of their true win
probabilities, computed from the generator's own stage process (deals.simulate_pipeline).

The true probability of a deal open at a month end is what a perfect model would say with what is knowable
then (its stage, how long it has sat there, its backward moves and reopen so far, its owner's skill): the
chance that the stage process, started from that state, ends in closed_won. A deal that has sat long in its
stage is more likely one that stalled (the process's 'stall' action: it stays open for good), which is why
old open deals win less often than fresh ones in the same stage.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .config import DAY, DEAL_STAGES, OPEN_DEAL_STAGES, L, W
from .deals import _ACT, _MEAN_DAYS, _REOPEN_P
from .timeutil import day_month_index, month_label

BACKTEST_RULE = (
    "per month-end day before the as-of date (end of that UTC day): open = the deal's last stage entry before "
    "then is an open stage; won_eventually = of those, in closed_won at the as-of date; won_next_month = of "
    "those, closed_won entered in the following calendar month; expected_true = sum of each open deal's true "
    "P(won) given its stage, time in stage, backward moves, reopen and owner skill (the generator's stage "
    "process, without its 16-step cap and without the as-of horizon, so immature month ends sit above "
    "won_eventually); expected_at_stage_entry = the same with the time in stage ignored (a perfect "
    "P(won | stage reached), which old stalled deals make run high)"
)
_BACKS = 3  # backward moves 0, 1, 2+ (from two on a deal cannot move back again)


def _values(boost: np.ndarray) -> np.ndarray:
    """P(ends won) per boost x open stage x backward moves x reopened, before the stage's action is drawn."""
    b = boost[:, None]
    probs = np.broadcast_to(_ACT, (boost.size, *_ACT.shape)).copy()
    probs[:, :, 0] *= b
    probs[:, :, 1] *= b
    probs[:, :, 3] /= b
    # stages 0-3 open, 4 = closed_won (worth 1); a skip from negotiation lands on closed_won too
    value = np.zeros((boost.size, W + 1, _BACKS, 2))
    value[:, W] = 1.0
    for _ in range(200):  # value iteration; the chain ends (won, lost, stalled) within a few dozen steps
        new = value.copy()
        for k in range(_BACKS):
            p = probs.copy()
            if k >= 2:
                p[:, :, 2] = 0.0
            p /= p.sum(axis=2)[:, :, None]
            for r in range(2):
                for s in range(OPEN_DEAL_STAGES):
                    lose = (
                        0.0 if r else _REOPEN_P * value[:, s, k, 1]
                    )  # reopened once, into the stage lost at
                    back = value[:, s - 1, min(k + 1, _BACKS - 1), r] if s > 0 else 0.0
                    new[:, s, k, r] = (
                        p[:, s, 0] * value[:, s + 1, k, r]
                        + p[:, s, 1] * value[:, min(s + 2, W), k, r]
                        + p[:, s, 2] * back
                        + p[:, s, 3] * lose
                    )
        value = new
    return value


def true_win_probability(
    stage: np.ndarray, since: np.ndarray, backs: np.ndarray, reopened: np.ndarray, boost: np.ndarray
) -> np.ndarray:
    """P(won) of open deals: stage, seconds in it without a move, backward moves, reopened, boost."""
    uniq, inv = np.unique(boost, return_inverse=True)
    value = _values(uniq)[inv, stage, np.minimum(backs, _BACKS - 1), reopened.astype(np.int64)]
    act = _ACT[stage].copy()
    act[:, 0] *= boost
    act[:, 1] *= boost
    act[:, 3] /= boost
    act[backs >= 2, 2] = 0.0
    stall = act[:, 4] / act.sum(axis=1)
    # the stage's next move was drawn at entry: either a stall (never moves) or a move after an exponential
    # delay (at least 600 s); no move for `since` seconds makes a stall likelier (Bayes)
    still = np.where(since < 600, 1.0, np.exp(-np.maximum(since, 0) / (_MEAN_DAYS[stage] * DAY)))
    return value * still / ((1 - stall) * still + stall)


def backtest_truth(
    ev_d: np.ndarray,
    ev_s: np.ndarray,
    ev_t: np.ndarray,
    final_stage: np.ndarray,
    boost: np.ndarray,
    as_of_day: int,
) -> dict[str, Any]:
    """Per month end (label of its month): open deals, won eventually / next month, true expected wins.
    ev_* sorted by deal then time."""
    n = final_stage.size
    same = np.r_[False, ev_d[1:] == ev_d[:-1]]
    prev = np.r_[-1, ev_s[:-1]]
    back_move = same & (ev_s < prev) & (prev != L)
    reopen_move = same & (prev == L)
    first_of = np.maximum.accumulate(np.where(~same, np.arange(ev_d.size), 0))
    backs_cum, reopen_cum = np.cumsum(back_move), np.cumsum(reopen_move)
    won_t = np.full(n, -1, dtype=np.int64)
    is_won = ev_s == W
    won_t[ev_d[is_won]] = ev_t[is_won]
    out: dict[str, Any] = {}
    first_month = int(day_month_index(np.array([ev_t.min() // DAY]))[0])
    last_month = int(day_month_index(np.array([as_of_day]))[0])
    for m in range(first_month, last_month):
        end_day = int(np.datetime64(month_label(m + 1) + "-01", "D").astype(np.int64)) - 1
        if end_day >= as_of_day:
            break
        end, next_end = (end_day + 1) * DAY, _month_end(m + 1, as_of_day)
        before = ev_t < end
        last_idx = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last_idx, ev_d[before], np.flatnonzero(before))
        deal = np.flatnonzero(last_idx >= 0)
        idx = last_idx[deal]
        open_ = ev_s[idx] < W
        deal, idx = deal[open_], idx[open_]
        stage = ev_s[idx]
        base = first_of[idx]
        backs = backs_cum[idx] - backs_cum[base]  # the first entry is no move
        reopened = reopen_cum[idx] > reopen_cum[base]
        p = true_win_probability(stage, end - ev_t[idx], backs, reopened, boost[deal])
        at_entry = true_win_probability(stage, np.zeros(deal.size), backs, reopened, boost[deal])
        won = final_stage[deal] == W
        out[month_label(m)] = {
            "open_deals": int(deal.size),
            "won_eventually": int(won.sum()),
            "won_next_month": int((won & (won_t[deal] < next_end)).sum()),
            "expected_true": float(p.sum()),
            "expected_at_stage_entry": float(at_entry.sum()),
            "by_stage": {
                DEAL_STAGES[s]: {
                    "open_deals": int((stage == s).sum()),
                    "won_eventually": int((won & (stage == s)).sum()),
                    "expected_true": float(p[stage == s].sum()),
                }
                for s in range(OPEN_DEAL_STAGES)
            },
        }
    return {"rule": BACKTEST_RULE, "by_month_end": out}


def _month_end(m: int, as_of_day: int) -> int:
    """End (seconds) of month m's last day, or of the as-of day when the month is not over."""
    end_day = int(np.datetime64(month_label(m + 1) + "-01", "D").astype(np.int64)) - 1
    return (min(end_day, as_of_day) + 1) * DAY
