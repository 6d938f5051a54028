"""The generic CRM export (plain CSVs with readable headers, read through mappings/generic.yml,
which the export ships as mapping.yml: the copy in simulator/data/).

Timestamps carry the person's own UTC offset (`2024-03-01T10:15:00+01:00`) so loaders must honour
offsets; stage labels are readable words the stage_label_map seed maps under source `*`.
"""

from __future__ import annotations

import shutil

import numpy as np

from ..config import (
    CHANNEL_LABELS,
    DEAL_STAGES,
    DEAL_TYPE_LABELS,
    GENERIC_DEAL_STAGE,
    GENERIC_LIFECYCLE,
    GENERIC_MAPPING,
    GENERIC_PIPELINES,
    GENERIC_RECYCLED,
    INDUSTRIES,
    PRODUCTS,
    REGIONS,
    W,
)
from ..ids import prefixed_ids
from ..timeutil import fmt_date_days, fmt_local_ts
from ..world import Chunk, World, modstamp
from .common import Sink, col, join, money, take, where
from .fields import account_names, country_names, first_names, last_names, owner_email, phones

D = "generic/"
PERSON_COLS = [
    "Person ID",
    "Email",
    "First Name",
    "Last Name",
    "Phone",
    "Account ID",
    "Owner ID",
    "Lifecycle Stage",
    "Lead Score",
    "Lead Source",
    "Country",
    "Created At",
    "Updated At",
]
DEAL_COLS = [
    "Deal ID",
    "Deal Name",
    "Account ID",
    "Person ID",
    "Owner ID",
    "Pipeline",
    "Stage",
    "Amount",
    "Currency",
    "Probability",
    "Deal Type",
    "Lead Source",
    "Product",
    "Created At",
    "Expected Close Date",
    "Closed At",
    "Updated At",
]
EVENT_COLS = ["Entity Type", "Entity ID", "Pipeline", "Stage", "Entered At"]
OWNER_COLS = ["Owner ID", "Name", "Email", "Manager ID", "Team", "Region", "Active"]
ACCOUNT_COLS = ["Account ID", "Name", "Industry", "Employees", "Country", "Created At"]
LIFECYCLE_PIPELINE = "lifecycle"
_LIFE = [GENERIC_LIFECYCLE[s] for s in range(10)]


def person_ids(pid: np.ndarray):
    return prefixed_ids("P", pid + 1)


def deal_ids(did: np.ndarray):
    return prefixed_ids("D", did + 1)


def render_company(world: World, sink: Sink) -> None:
    o, a = world.owners, world.accounts
    oi = np.arange(o.n)
    teams = ["Leadership", "SMB", "Mid-Market", "Enterprise"]
    sink.write(
        D + "owners.csv",
        OWNER_COLS,
        {
            "Owner ID": prefixed_ids("U", oi + 1, 5),
            "Name": join(first_names(o.first), " ", last_names(o.last)),
            "Email": owner_email(o, oi),
            "Manager ID": where(o.manager >= 0, prefixed_ids("U", np.maximum(o.manager, 0) + 1, 5), None),
            "Team": join(take(REGIONS, o.region), " ", take(teams, o.team + 1)),
            "Region": take(REGIONS, o.region),
            "Active": col("yes", o.n),
        },
    )
    ai = np.arange(a.n)
    sink.write(
        D + "accounts.csv",
        ACCOUNT_COLS,
        {
            "Account ID": prefixed_ids("A", ai + 1, 7),
            "Name": account_names(a, ai),
            "Industry": take(INDUSTRIES, a.industry),
            "Employees": col(a.employees),
            "Country": country_names(a.country),
            "Created At": fmt_local_ts(a.created, np.zeros(a.n, np.int64)),
        },
    )
    shutil.copyfile(GENERIC_MAPPING, sink.out_dir / D / "mapping.yml")


def lifecycle_labels(chunk: Chunk) -> np.ndarray:
    labels = np.array(_LIFE, dtype=object)[chunk.persons.ev_s]
    labels[chunk.recycled_event] = GENERIC_RECYCLED
    return labels


def render_chunk(world: World, chunk: Chunk, sink: Sink, messy_hook=None) -> None:
    p, d = chunk.persons, chunk.deals
    n = p.n
    labels = lifecycle_labels(chunk)
    current = np.empty(n, dtype=object)
    current[p.ev_p] = labels
    pids = person_ids(p.pid)
    data = {
        "Person ID": pids,
        "Email": chunk.email,
        "First Name": first_names(p.first),
        "Last Name": last_names(p.last),
        "Phone": phones(p.country, p.pid),
        "Account ID": prefixed_ids("A", p.account + 1, 7),
        "Owner ID": prefixed_ids("U", p.owner + 1, 5),
        "Lifecycle Stage": col(current),
        "Lead Score": col(p.score),
        "Lead Source": take(CHANNEL_LABELS["generic"], p.channel),
        "Country": country_names(p.country),
        "Created At": fmt_local_ts(p.created, p.tz),
        "Updated At": fmt_local_ts(modstamp(chunk.last_t, p.pid, world.as_of_t), p.tz),
    }
    if world.messy:
        data["Favourite Colour"] = take(["blue", "green", "red", ""], p.pid % 4)
    sink.write(D + "persons.csv", PERSON_COLS + (["Favourite Colour"] if world.messy else []), data)
    sink.write(
        D + "stage_events.csv",
        EVENT_COLS,
        {
            "Entity Type": col("person", p.ev_p.size),
            "Entity ID": pids.take(p.ev_p),
            "Pipeline": col(LIFECYCLE_PIPELINE, p.ev_p.size),
            "Stage": col(labels),
            "Entered At": fmt_local_ts(p.ev_t, p.tz[p.ev_p]),
        },
    )
    if not d.n:
        return
    tz = p.tz[d.person]
    closed = d.stage >= W
    dids = deal_ids(d.did)
    deal_data = {
        "Deal ID": dids,
        "Deal Name": join(
            account_names(world.accounts, d.account), " - ", take([x[0] for x in PRODUCTS], d.product)
        ),
        "Account ID": prefixed_ids("A", d.account + 1, 7),
        "Person ID": pids.take(d.person),
        "Owner ID": prefixed_ids("U", d.owner + 1, 5),
        "Pipeline": take(GENERIC_PIPELINES, d.pipeline),
        "Stage": take(GENERIC_DEAL_STAGE, d.stage),
        "Amount": money(d.amount),
        "Currency": take(world.fx.currencies, d.currency),
        "Probability": col(np.round(d.probability, 2)),
        "Deal Type": take(DEAL_TYPE_LABELS["generic"], d.dtype),
        "Lead Source": take(CHANNEL_LABELS["generic"], p.channel[d.person]),
        "Product": take([x[0] for x in PRODUCTS], d.product),
        "Created At": fmt_local_ts(d.created, tz),
        "Expected Close Date": fmt_date_days(d.close_day),
        "Closed At": fmt_local_ts(d.last_t, tz, closed),
        "Updated At": fmt_local_ts(modstamp(d.last_t, d.did, world.as_of_t), tz),
    }
    if messy_hook is not None:
        messy_hook("generic", chunk, deal_data)
    sink.write(D + "deals.csv", DEAL_COLS, deal_data)
    sink.write(
        D + "stage_events.csv",
        EVENT_COLS,
        {
            "Entity Type": col("deal", d.ev_d.size),
            "Entity ID": dids.take(d.ev_d),
            "Pipeline": take(GENERIC_PIPELINES, d.pipeline[d.ev_d]),
            "Stage": take(GENERIC_DEAL_STAGE, d.ev_s),
            "Entered At": fmt_local_ts(d.ev_t, tz[d.ev_d]),
        },
    )


__all__ = ["render_company", "render_chunk", "DEAL_STAGES"]
