"""Marketing exports shared by every CRM: touches, email engagement, daily ad-platform spend.

Persons are named by the same email as in the CRM exports; before a person is known only the
anonymous id is written (the identifying touch carries both, so loaders can stitch).
"""

from __future__ import annotations

import numpy as np

from ..config import CHANNELS, UTM
from ..ids import numeric_ids, prefixed_ids
from ..marketing import EMAIL_EVENT_TYPES, TOUCH_TYPES
from ..timeutil import fmt_date_days, fmt_hs_ts
from ..world import Chunk, World
from .common import Sink, cents, col, take, where

D = "marketing/"
TOUCH_COLS = [
    "event_id",
    "occurred_at",
    "person_email",
    "crm_person_id",
    "anonymous_id",
    "touch_type",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "campaign_id",
    "referred_by_email",
]
EMAIL_COLS = ["event_id", "occurred_at", "person_email", "campaign_id", "utm_campaign", "event_type"]
SPEND_COLS = [
    "day",
    "platform",
    "campaign_id",
    "campaign_name",
    "utm_campaign",
    "cost",
    "currency",
    "impressions",
    "clicks",
]
CAMPAIGN_ID_BASE = 91_000_001


def campaign_ids(campaign: np.ndarray):
    return where(campaign >= 0, numeric_ids(CAMPAIGN_ID_BASE, np.maximum(campaign, 0)), None)


def utm_campaigns(world: World, campaign: np.ndarray):
    return where(campaign >= 0, take(world.campaigns.utm, np.maximum(campaign, 0)), None)


def render_spend(world: World, sink: Sink) -> None:
    s, c = world.spend, world.campaigns
    sink.write(
        D + "ad_spend.csv",
        SPEND_COLS,
        {
            "day": fmt_date_days(s.day),
            "platform": take(list(c.platform), s.campaign),
            "campaign_id": numeric_ids(CAMPAIGN_ID_BASE, s.campaign),
            "campaign_name": take(c.names, s.campaign),
            "utm_campaign": take(c.utm, s.campaign),
            "cost": cents(s.cost_cents),
            "currency": take(world.fx.currencies, c.currency[s.campaign]),
            "impressions": col(s.impressions),
            "clicks": col(s.clicks),
        },
    )


def render_chunk(world: World, chunk: Chunk, sink: Sink, touch_base: int, email_base: int) -> None:
    tch, em, p = chunk.touches, chunk.emails, chunk.persons
    anon = prefixed_ids("anon-", p.pid[tch.person] + 1, 10)
    email = chunk.email.take(tch.person)
    has_ref = tch.referrer >= 0
    sink.write(
        D + "touches.csv",
        TOUCH_COLS,
        {
            "event_id": prefixed_ids("T", touch_base + np.arange(tch.t.size) + 1, 11),
            "occurred_at": fmt_hs_ts(tch.t),
            "person_email": where(tch.known, email, None),
            "crm_person_id": None,
            # the anonymous id is known on anonymous touches and on the touch that identified the person
            "anonymous_id": where(~tch.known | _identifying(tch), anon, None),
            "touch_type": take(TOUCH_TYPES, tch.ttype),
            "channel": take(CHANNELS, tch.channel),
            "utm_source": where(tch.campaign >= 0, take([UTM[k][0] for k in range(8)], tch.channel), None),
            "utm_medium": where(tch.campaign >= 0, take([UTM[k][1] for k in range(8)], tch.channel), None),
            "utm_campaign": utm_campaigns(world, tch.campaign),
            "campaign_id": campaign_ids(tch.campaign),
            "referred_by_email": where(has_ref, chunk.email.take(np.maximum(tch.referrer, 0)), None),
        },
    )
    sink.write(
        D + "email_events.csv",
        EMAIL_COLS,
        {
            "event_id": prefixed_ids("E", email_base + np.arange(em.t.size) + 1, 11),
            "occurred_at": fmt_hs_ts(em.t),
            "person_email": chunk.email.take(em.person),
            "campaign_id": campaign_ids(em.campaign),
            "utm_campaign": utm_campaigns(world, em.campaign),
            "event_type": take(EMAIL_EVENT_TYPES, em.etype),
        },
    )


def _identifying(tch) -> np.ndarray:
    """The first known touch of each person (touches are ordered by person, then time)."""
    known = np.flatnonzero(tch.known)
    first = known[np.r_[True, tch.person[known][1:] != tch.person[known][:-1]]] if known.size else known
    out = np.zeros(tch.t.size, dtype=bool)
    out[first] = True
    return out
