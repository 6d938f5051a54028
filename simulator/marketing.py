"""Marketing activity around the persons: touches (anonymous first), email engagement, referrals, spend.

Touches are built after deals so referrals can name a customer who had already won when the referred
person arrived; that referral makes the referrer an advocate (docs/metrics.md), at the referred person's first stage entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .company import Campaigns
from .config import (
    ADV,
    CHANNELS,
    CUST,
    DAY,
    DIRECT,
    DQ,
    EMAIL,
    EVENTS,
    MQL,
    ORGANIC,
    PAID_SEARCH,
    PAID_SOCIAL,
    PARTNER,
    REFERRAL,
)
from .people import Persons, add_events
from .timeutil import MONTH_WEIGHTS, WEEKDAY_WEIGHTS

TOUCH_TYPES = [
    "ad_click",
    "page_view",
    "content_download",
    "webinar_registration",
    "webinar_attended",
    "event_attended",
    "email_open",
    "email_click",
    "demo_request",
    "pricing_page_view",
    "trial_signup",
    "chat",
    "referral",
]
T = {name: i for i, name in enumerate(TOUCH_TYPES)}
EMAIL_EVENT_TYPES = ["send", "delivered", "open", "click", "bounce", "unsubscribe"]

_ANON_TYPE = np.array(
    [
        T["ad_click"],
        T["ad_click"],
        T["page_view"],
        T["page_view"],
        T["page_view"],
        T["page_view"],
        T["page_view"],
        T["page_view"],
    ]
)
_IDENTIFY_TYPE = np.array(
    [
        T["content_download"],
        T["content_download"],
        T["trial_signup"],
        T["webinar_registration"],
        T["event_attended"],
        T["referral"],
        T["demo_request"],
        T["content_download"],
    ]
)
_LATER_TYPES = np.array(
    [
        T["page_view"],
        T["content_download"],
        T["webinar_registration"],
        T["webinar_attended"],
        T["pricing_page_view"],
        T["chat"],
        T["ad_click"],
        T["event_attended"],
    ]
)
_LATER_W = np.array([0.35, 0.15, 0.1, 0.08, 0.12, 0.06, 0.09, 0.05])
_MQL_TYPES = np.array([T["demo_request"], T["pricing_page_view"], T["webinar_attended"]])


@dataclass
class Touches:
    person: np.ndarray  # local person index
    known: np.ndarray  # False: only the anonymous id is written
    ttype: np.ndarray
    channel: np.ndarray
    t: np.ndarray
    campaign: np.ndarray  # -1 for none
    referrer: np.ndarray  # local person index of the referring customer, -1 for none


@dataclass
class EmailEvents:
    person: np.ndarray
    etype: np.ndarray
    t: np.ndarray
    campaign: np.ndarray


def _last_event_t(persons: Persons) -> np.ndarray:
    last = persons.created.copy()
    np.maximum.at(last, persons.ev_p, persons.ev_t)
    return last


def assign_referrals(rng: np.random.Generator, persons: Persons) -> np.ndarray:
    """Referrer (local index, -1 none) per person; adds the referrers' advocate events."""
    referrer = np.full(persons.n, -1, dtype=np.int64)
    cust = persons.ev_s == CUST
    cust_p, cust_t = persons.ev_p[cust], persons.ev_t[cust]
    order = np.argsort(cust_t, kind="stable")
    cust_p, cust_t = cust_p[order], cust_t[order]
    referred = np.flatnonzero(persons.channel == REFERRAL)
    count = np.searchsorted(cust_t, persons.created[referred], side="left")
    has = count > 0
    pick = (rng.random(referred.size) * count).astype(np.int64)
    referrer[referred[has]] = cust_p[pick[has]]
    first_ref = np.full(persons.n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_ref, referrer[referred[has]], persons.created[referred[has]])
    adv = np.flatnonzero(first_ref < np.iinfo(np.int64).max)
    add_events(persons, adv, np.full(adv.size, ADV), first_ref[adv])
    return referrer


def make_touches(
    rng: np.random.Generator,
    persons: Persons,
    referrer: np.ndarray,
    campaigns: Campaigns,
    emails: EmailEvents,
    as_of_t: int,
) -> Touches:
    n = persons.n
    idx = np.arange(n)
    ch = persons.channel
    # anonymous touches before the person is known
    n_anon = np.where(ch == REFERRAL, 0, rng.poisson(1.3, size=n))
    ap = np.repeat(idx, n_anon)
    a_gap = rng.exponential(4 * DAY, size=ap.size).astype(np.int64) + 600
    a_nth = np.arange(ap.size) - np.repeat(np.cumsum(n_anon) - n_anon, n_anon)
    a_t = persons.created[ap] - a_gap * (a_nth + 1)
    a_type = np.where(
        a_nth == n_anon[ap] - 1,
        _ANON_TYPE[ch[ap]],
        np.where(rng.random(ap.size) < 0.3, T["pricing_page_view"], T["page_view"]),
    )
    # the identifying touch, at the first stage entry, on the person's own channel
    i_type = _IDENTIFY_TYPE[ch]
    # touches before MQL: one high-intent touch shortly before each first MQL entry
    mql = persons.ev_s == MQL
    mp, mt = persons.ev_p[mql], persons.ev_t[mql]
    first_mql = np.ones(mp.size, dtype=bool)
    first_mql[1:] = mp[1:] != mp[:-1]
    mp, mt = mp[first_mql], mt[first_mql]
    m_t = np.maximum(mt - rng.integers(600, 2 * DAY, size=mp.size), persons.created[mp] + 60)
    m_type = _MQL_TYPES[rng.integers(0, 3, size=mp.size)]
    # later known touches, more for persons who went further
    reached = np.zeros(n, dtype=np.int64)
    np.maximum.at(reached, persons.ev_p, np.where(persons.ev_s == DQ, 0, persons.ev_s))
    n_later = rng.poisson(0.5 + 0.7 * np.minimum(reached, 6))
    lp = np.repeat(idx, n_later)
    end = np.minimum(as_of_t, _last_event_t(persons) + 45 * DAY)
    l_t = persons.created[lp] + (rng.random(lp.size) * (end[lp] - persons.created[lp])).astype(np.int64) + 1
    l_type = _LATER_TYPES[rng.choice(_LATER_TYPES.size, size=lp.size, p=_LATER_W)]
    l_ch = np.where(
        rng.random(lp.size) < 0.55,
        ch[lp],
        np.array([ORGANIC, DIRECT, PAID_SEARCH, PAID_SOCIAL, EVENTS])[rng.integers(0, 5, size=lp.size)],
    )
    l_ch = np.where(
        l_type == T["ad_click"], np.where(rng.random(lp.size) < 0.5, PAID_SEARCH, PAID_SOCIAL), l_ch
    )
    l_ch = np.where(l_type == T["event_attended"], EVENTS, l_ch)
    # email opens and clicks are touches too (mirrored from email engagement)
    em = (emails.etype == 2) | (emails.etype == 3)
    e_type = np.where(emails.etype[em] == 2, T["email_open"], T["email_click"])

    person = np.concatenate([ap, idx, mp, lp, emails.person[em]])
    known = np.concatenate([np.zeros(ap.size, bool), np.ones(n + mp.size + lp.size + int(em.sum()), bool)])
    ttype = np.concatenate([a_type, i_type, m_type, l_type, e_type])
    channel = np.concatenate([ch[ap], ch, ch[mp], l_ch, np.full(int(em.sum()), EMAIL)])
    t = np.concatenate([a_t, persons.created, m_t, np.minimum(l_t, as_of_t), emails.t[em]])
    ref = np.concatenate([np.full(ap.size, -1), referrer, np.full(mp.size + lp.size + int(em.sum()), -1)])
    campaign = campaigns.pick(rng, channel, t)
    campaign = np.concatenate([campaign[: campaign.size - int(em.sum())], emails.campaign[em]])
    order = np.lexsort((t, person))
    return Touches(
        person=person[order],
        known=known[order],
        ttype=ttype[order],
        channel=channel[order],
        t=t[order],
        campaign=campaign[order],
        referrer=ref[order],
    )


def make_email_events(
    rng: np.random.Generator, persons: Persons, campaigns: Campaigns, as_of_t: int
) -> EmailEvents:
    n = persons.n
    sends = np.where(rng.random(n) < 0.55, rng.poisson(2.2, size=n), 0)
    sp = np.repeat(np.arange(n), sends)
    st = persons.created[sp] + (rng.random(sp.size) * (as_of_t - persons.created[sp])).astype(np.int64)
    camp = campaigns.pick(rng, np.full(sp.size, EMAIL), st)
    delivered = rng.random(sp.size) < 0.97
    opened = delivered & (rng.random(sp.size) < 0.38)
    clicked = opened & (rng.random(sp.size) < 0.30)
    unsub = delivered & (rng.random(sp.size) < 0.015)
    open_t = st + rng.exponential(8 * 3600, size=sp.size).astype(np.int64) + 60
    click_t = open_t + rng.exponential(900, size=sp.size).astype(np.int64) + 5
    unsub_t = open_t + rng.exponential(DAY, size=sp.size).astype(np.int64)
    parts = [
        (np.ones(sp.size, bool), 0, st),
        (delivered, 1, st + 30),
        (opened, 2, open_t),
        (clicked, 3, click_t),
        (~delivered, 4, st + 30),
        (unsub, 5, unsub_t),
    ]
    person, etype, t, campaign = [], [], [], []
    for mask, code, times in parts:
        keep = mask & (times <= as_of_t)
        person.append(sp[keep])
        etype.append(np.full(int(keep.sum()), code))
        t.append(times[keep])
        campaign.append(camp[keep])
    person_a, etype_a, t_a, camp_a = (np.concatenate(x) for x in (person, etype, t, campaign))
    order = np.lexsort((etype_a, t_a, person_a))
    return EmailEvents(person=person_a[order], etype=etype_a[order], t=t_a[order], campaign=camp_a[order])


@dataclass
class Spend:
    campaign: np.ndarray
    day: np.ndarray  # days since epoch
    cost_cents: np.ndarray
    impressions: np.ndarray
    clicks: np.ndarray


def make_spend(rng: np.random.Generator, campaigns: Campaigns, as_of_t: int) -> Spend:
    """Daily platform reports for campaigns with an ad platform, seasonal like the leads they buy."""
    camp, days = [], []
    for c in range(campaigns.n):
        if campaigns.platform[c]:
            d = np.arange(campaigns.slice_start[c] // DAY, min(campaigns.slice_end[c], as_of_t + 1) // DAY)
            camp.append(np.full(d.size, c))
            days.append(d)
    camp_a = np.concatenate(camp) if camp else np.zeros(0, dtype=np.int64)
    day_a = np.concatenate(days) if days else np.zeros(0, dtype=np.int64)
    month = day_a.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekday = (day_a + 3) % 7
    factor = MONTH_WEIGHTS[month] * WEEKDAY_WEIGHTS[weekday] * rng.lognormal(0, 0.25, size=day_a.size)
    cost_cents = np.round(campaigns.daily_budget[camp_a] * factor * 100).astype(np.int64)
    impressions = (cost_cents / 100 * rng.uniform(30, 90, size=day_a.size)).astype(np.int64)
    clicks = (impressions * rng.uniform(0.008, 0.04, size=day_a.size)).astype(np.int64)
    return Spend(campaign=camp_a, day=day_a, cost_cents=cost_cents, impressions=impressions, clicks=clicks)


__all__ = [
    "CHANNELS",
    "TOUCH_TYPES",
    "EMAIL_EVENT_TYPES",
    "Touches",
    "EmailEvents",
    "Spend",
    "assign_referrals",
    "make_touches",
    "make_email_events",
    "make_spend",
    "PARTNER",
]
