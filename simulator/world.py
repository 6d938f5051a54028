"""Bundles handed to renderers: the company (`World`) and one chunk of persons with everything theirs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pyarrow as pa

from .company import Accounts, Campaigns, Owners
from .config import DQ, LEAD, NEW_BUSINESS, OPP
from .deals import Deals
from .fx import FxTable
from .marketing import EmailEvents, Spend, Touches
from .people import Persons
from .render.fields import account_domains, person_emails


@dataclass
class World:
    seed: int
    as_of: date
    as_of_t: int  # end of as_of (UTC), the latest instant anything happens
    owners: Owners
    accounts: Accounts
    campaigns: Campaigns
    spend: Spend
    fx: FxTable
    messy: bool = False


@dataclass
class Chunk:
    index: int
    persons: Persons
    deals: Deals
    touches: Touches
    emails: EmailEvents
    referrer: np.ndarray  # local person index of the referrer, -1 none
    accounts: Accounts = field(repr=False)

    @cached_property
    def email(self) -> pa.Array:
        p = self.persons
        return person_emails(p.first, p.last, p.pid, account_domains(self.accounts, p.account))

    @cached_property
    def opp_t(self) -> np.ndarray:
        """Time of the person's opportunity entry (conversion), -1 if never."""
        out = np.full(self.persons.n, -1, dtype=np.int64)
        m = self.persons.ev_s == OPP
        out[self.persons.ev_p[m]] = self.persons.ev_t[m]
        return out

    @cached_property
    def converted(self) -> np.ndarray:
        return self.opp_t >= 0

    @cached_property
    def nb_deal(self) -> np.ndarray:
        """Global id of the person's new-business deal (-1 if none)."""
        out = np.full(self.persons.n, -1, dtype=np.int64)
        nb = self.deals.dtype == NEW_BUSINESS
        out[self.deals.person[nb]] = self.deals.did[nb]
        return out

    @cached_property
    def first_event(self) -> np.ndarray:
        """Per lifecycle event: is it the person's first entry."""
        p = self.persons.ev_p
        first = np.ones(p.size, dtype=bool)
        first[1:] = p[1:] != p[:-1]
        return first

    @cached_property
    def recycled_event(self) -> np.ndarray:
        """Per lifecycle event: a move back to `lead` from a later stage (labelled Recycled where it can be)."""
        s = self.persons.ev_s
        prev = np.r_[-1, s[:-1]]
        return (s == LEAD) & ~self.first_event & (prev > LEAD) & (prev != DQ)

    @cached_property
    def pre_deal_events(self) -> np.ndarray:
        """Lifecycle events a CRM lead record carries (up to conversion, plus disqualification)."""
        s = self.persons.ev_s
        return (s <= OPP) | (s == DQ)

    @cached_property
    def last_t(self) -> np.ndarray:
        out = self.persons.created.copy()
        np.maximum.at(out, self.persons.ev_p, self.persons.ev_t)
        return out


def modstamp(last_t: np.ndarray, key: np.ndarray, as_of_t: int) -> np.ndarray:
    """A record's last-modified instant: some hours after its last change, never after as_of."""
    jitter = (np.asarray(key, dtype=np.int64) * 7919) % (5 * 86_400) + 7_200
    return np.minimum(last_t + jitter, as_of_t)
