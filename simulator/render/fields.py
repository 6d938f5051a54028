"""Fake but realistic-looking personal and company fields, shared by every CRM renderer.

Names come from small arrays; emails embed the person's global index so they are unique and every
format (and the marketing touches) names the same person with the same email.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..company import Accounts, Owners
from ..config import COMPANY_WORDS_A, COMPANY_WORDS_B, COUNTRIES, FIRST_NAMES, JOB_TITLES, LAST_NAMES
from .common import col, join, take

_CALLING = {
    "US": "1",
    "CA": "1",
    "GB": "44",
    "DE": "49",
    "FR": "33",
    "NL": "31",
    "JP": "81",
    "AU": "61",
    "CN": "86",
    "IN": "91",
}


def account_names(accounts: Accounts, index: np.ndarray) -> pa.Array:
    a = take(COMPANY_WORDS_A, accounts.name_a[index] % len(COMPANY_WORDS_A))
    b = take(COMPANY_WORDS_B, accounts.name_b[index] % len(COMPANY_WORDS_B))
    return join(a, " ", b, " ", col(np.asarray(index) + 1))


def account_domains(accounts: Accounts, index: np.ndarray) -> pa.Array:
    a = take(
        [w.lower().replace(" ", "") for w in COMPANY_WORDS_A], accounts.name_a[index] % len(COMPANY_WORDS_A)
    )
    b = take([w.lower() for w in COMPANY_WORDS_B], accounts.name_b[index] % len(COMPANY_WORDS_B))
    return join(a, "-", b, col(np.asarray(index) + 1), ".example.com")


def first_names(codes: np.ndarray) -> pa.Array:
    return take(FIRST_NAMES, codes % len(FIRST_NAMES))


def last_names(codes: np.ndarray) -> pa.Array:
    return take(LAST_NAMES, codes % len(LAST_NAMES))


def person_emails(first: np.ndarray, last: np.ndarray, pid: np.ndarray, domains: pa.Array) -> pa.Array:
    f = pc.utf8_lower(first_names(first))
    ln = pc.replace_substring(pc.utf8_lower(last_names(last)), " ", "")
    return join(f, ".", ln, col(np.asarray(pid) + 1), "@", domains)


def phones(country: np.ndarray, pid: np.ndarray) -> pa.Array:
    cc = take([_CALLING[c[0]] for c in COUNTRIES], country)
    return join("+", cc, " 555 ", pc.utf8_lpad(col(np.asarray(pid) % 10_000_000), 7, "0"))


def titles(codes: np.ndarray) -> pa.Array:
    return take(JOB_TITLES, codes % len(JOB_TITLES))


def country_names(country: np.ndarray) -> pa.Array:
    return take([c[1] for c in COUNTRIES], country)


def owner_email(owners: Owners, index: np.ndarray) -> pa.Array:
    f = pc.utf8_lower(first_names(owners.first[index]))
    ln = pc.replace_substring(pc.utf8_lower(last_names(owners.last[index])), " ", "")
    return join(f, ".", ln, col(np.asarray(index) + 1), "@funnelco.example.com")
