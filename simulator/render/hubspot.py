"""HubSpot CRM exports with internal property names, pipelines, owners, associations and history.

`hs_lifecyclestage_<stage>_date` and `hs_date_entered_<stage id>` hold the FIRST entry into the stage
(`hs_date_exited_<id>` the end of that first stay); property_history holds every change and is the
complete history. HubSpot has no repeat_customer lifecycle stage: it is derived from the second won
deal, so repeat_customer entries are not written as lifecyclestage values.
"""

from __future__ import annotations

import numpy as np

from ..config import (
    CHANNEL_LABELS,
    DAY,
    DEAL_TYPE_LABELS,
    DQ,
    HS_CUSTOM_PIPELINE,
    HS_CUSTOM_PIPELINE_LABEL,
    HS_CUSTOM_PROBABILITY,
    HS_CUSTOM_STAGE_IDS,
    HS_CUSTOM_STAGE_LABELS,
    HS_DATE_STAGES,
    HS_DEFAULT_FOR_STAGE,
    HS_DEFAULT_PIPELINE,
    HS_DEFAULT_PROBABILITY,
    HS_DEFAULT_STAGE_IDS,
    HS_DEFAULT_STAGE_LABELS,
    HS_FORECAST,
    HS_LIFECYCLE,
    INDUSTRIES,
    LEAD,
    MQL,
    PRODUCTS,
    REGIONS,
    REPEAT,
    SAL,
    SQL,
    SUB,
    N,
    W,
)
from ..ids import HS_COMPANY_BASE, HS_CONTACT_BASE, HS_DEAL_BASE, HS_OWNER_BASE, numeric_ids
from ..timeutil import fmt_hs_ts
from ..world import Chunk, World, modstamp
from .common import Sink, col, join, take, where
from .fields import (
    account_domains,
    account_names,
    country_names,
    first_names,
    last_names,
    owner_email,
    phones,
)

D = "hubspot/"
ALL_STAGE_IDS = HS_DEFAULT_STAGE_IDS + HS_CUSTOM_STAGE_IDS
CONTACT_COLS = [
    "hs_object_id",
    "email",
    "firstname",
    "lastname",
    "phone",
    "company",
    "jobtitle",
    "country",
    "createdate",
    "lastmodifieddate",
    "lifecyclestage",
    "hs_lead_status",
    "hubspotscore",
    "hs_analytics_source",
    "hs_analytics_source_data_1",
    "hubspot_owner_id",
    "associatedcompanyid",
    "hs_merged_object_ids",
] + [f"hs_lifecyclestage_{s}_date" for s in HS_DATE_STAGES]
COMPANY_COLS = [
    "hs_object_id",
    "name",
    "domain",
    "industry",
    "numberofemployees",
    "annualrevenue",
    "country",
    "lifecyclestage",
    "hubspot_owner_id",
    "createdate",
    "hs_lastmodifieddate",
]
DEAL_COLS = (
    [
        "hs_object_id",
        "dealname",
        "pipeline",
        "dealstage",
        "amount",
        "deal_currency_code",
        "hs_deal_stage_probability",
        "createdate",
        "closedate",
        "dealtype",
        "hubspot_owner_id",
        "hs_analytics_source",
        "hs_is_closed",
        "hs_is_closed_won",
        "product_family",
        "hs_forecast_category",
        "hs_lastmodifieddate",
    ]
    + [f"hs_date_entered_{s}" for s in ALL_STAGE_IDS]
    + [f"hs_date_exited_{s}" for s in ALL_STAGE_IDS]
)
PIPELINE_COLS = [
    "pipeline_id",
    "pipeline_label",
    "stage_id",
    "stage_label",
    "display_order",
    "probability",
    "is_closed",
]
OWNER_COLS = [
    "id",
    "email",
    "firstname",
    "lastname",
    "userid",
    "teams",
    "manager_id",
    "region",
    "archived",
    "createdat",
    "updatedat",
]
HISTORY_COLS = ["object_type", "object_id", "property", "value", "timestamp", "source_type"]
_LEAD_STATUS = {SUB: "NEW", LEAD: "NEW", MQL: "OPEN", SAL: "IN_PROGRESS", SQL: "CONNECTED", DQ: "UNQUALIFIED"}
_HS_CODES = [HS_LIFECYCLE.get(s, "") for s in range(10)]


def deal_stage_columns(variant: np.ndarray, pipeline: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Index into ALL_STAGE_IDS of a canonical stage in the deal's pipeline (negotiation has two ids)."""
    default = np.array(HS_DEFAULT_FOR_STAGE)[stage]
    default = np.where((stage == N) & (variant % 2 == 1), 4, default)
    return np.where(pipeline == 1, len(HS_DEFAULT_STAGE_IDS) + stage, default)


def render_company(world: World, sink: Sink) -> None:
    o, a = world.owners, world.accounts
    oi = np.arange(o.n)
    teams = ["Sales Leadership", "SMB", "Mid-Market", "Enterprise"]
    stamp = fmt_hs_ts(o.created + 30 * DAY)
    sink.write(
        D + "owners.csv",
        OWNER_COLS,
        {
            "id": numeric_ids(HS_OWNER_BASE, oi),
            "email": owner_email(o, oi),
            "firstname": first_names(o.first),
            "lastname": last_names(o.last),
            "userid": numeric_ids(7_700_001, oi),
            "teams": join(take(REGIONS, o.region), " ", take(teams, o.team + 1)),
            "manager_id": where(o.manager >= 0, numeric_ids(HS_OWNER_BASE, np.maximum(o.manager, 0)), None),
            "region": take(REGIONS, o.region),
            "archived": col("false", o.n),
            "createdat": fmt_hs_ts(o.created),
            "updatedat": stamp,
        },
    )
    ai = np.arange(a.n)
    sink.write(
        D + "companies.csv",
        COMPANY_COLS,
        {
            "hs_object_id": numeric_ids(HS_COMPANY_BASE, ai),
            "name": account_names(a, ai),
            "domain": account_domains(a, ai),
            "industry": take(INDUSTRIES, a.industry),
            "numberofemployees": col(a.employees),
            "annualrevenue": col(a.annual_revenue),
            "country": country_names(a.country),
            "lifecyclestage": None,
            "hubspot_owner_id": numeric_ids(HS_OWNER_BASE, a.owner),
            "createdate": fmt_hs_ts(a.created),
            "hs_lastmodifieddate": fmt_hs_ts(a.created + (ai % 50) * DAY),
        },
    )
    rows = []
    for i, sid in enumerate(HS_DEFAULT_STAGE_IDS):
        rows.append(
            (
                HS_DEFAULT_PIPELINE,
                "Sales Pipeline",
                sid,
                HS_DEFAULT_STAGE_LABELS[i],
                i,
                HS_DEFAULT_PROBABILITY[i],
                i >= 5,
            )
        )
    for i, sid in enumerate(HS_CUSTOM_STAGE_IDS):
        rows.append(
            (
                HS_CUSTOM_PIPELINE,
                HS_CUSTOM_PIPELINE_LABEL,
                sid,
                HS_CUSTOM_STAGE_LABELS[i],
                i,
                HS_CUSTOM_PROBABILITY[i],
                i >= 4,
            )
        )
    cols = list(zip(*rows, strict=True))
    sink.write(
        D + "pipeline_stages.csv",
        PIPELINE_COLS,
        {
            name: col(
                np.array([str(v).lower() if isinstance(v, bool) else str(v) for v in values], dtype=object)
            )
            for name, values in zip(PIPELINE_COLS, cols, strict=True)
        },
    )


def render_chunk(world: World, chunk: Chunk, sink: Sink, messy_hook=None) -> None:
    p, d = chunk.persons, chunk.deals
    n = p.n
    contact_id = numeric_ids(HS_CONTACT_BASE, p.pid)
    # lifecycle: events HubSpot can express (every stage but repeat_customer)
    ev = np.flatnonzero(p.ev_s != REPEAT)
    code = np.array([HS_DATE_STAGES.index(c) if c else -1 for c in _HS_CODES])[p.ev_s[ev]]
    first = np.full((n, len(HS_DATE_STAGES)), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, (p.ev_p[ev], code), p.ev_t[ev])
    current = np.empty(n, dtype=np.int64)
    current[p.ev_p[ev]] = p.ev_s[ev]
    last_t = p.created.copy()
    np.maximum.at(last_t, p.ev_p[ev], p.ev_t[ev])
    pre = chunk.pre_deal_events
    pre_current = np.empty(n, dtype=np.int64)
    pre_current[p.ev_p[pre]] = p.ev_s[pre]
    data = {
        "hs_object_id": contact_id,
        "email": chunk.email,
        "firstname": first_names(p.first),
        "lastname": last_names(p.last),
        "phone": phones(p.country, p.pid),
        "company": account_names(world.accounts, p.account),
        "jobtitle": None,
        "country": country_names(p.country),
        "createdate": fmt_hs_ts(p.created),
        "lastmodifieddate": fmt_hs_ts(modstamp(last_t, p.pid, world.as_of_t)),
        "lifecyclestage": take(_HS_CODES, current),
        "hs_lead_status": take([_LEAD_STATUS.get(s, "") for s in range(10)], pre_current),
        "hubspotscore": col(p.score),
        "hs_analytics_source": take(CHANNEL_LABELS["hubspot"], p.channel),
        "hs_analytics_source_data_1": None,
        "hubspot_owner_id": numeric_ids(HS_OWNER_BASE, p.owner),
        "associatedcompanyid": numeric_ids(HS_COMPANY_BASE, p.account),
        "hs_merged_object_ids": None,
    }
    data["hs_lead_status"] = where(pre_current <= DQ, data["hs_lead_status"], None)
    for k, stage in enumerate(HS_DATE_STAGES):
        data[f"hs_lifecyclestage_{stage}_date"] = fmt_hs_ts(first[:, k], first[:, k] < np.iinfo(np.int64).max)
    sink.write(D + "contacts.csv", CONTACT_COLS, data)
    h_obj = contact_id.take(p.ev_p[ev])
    h_val = take(_HS_CODES, p.ev_s[ev])
    h_t = p.ev_t[ev]
    if d.n:
        deal_data, d_obj, d_val, d_t = _deals(world, chunk, messy_hook)
        sink.write(D + "deals.csv", DEAL_COLS + (["custom_internal_score"] if world.messy else []), deal_data)
        sink.write(
            D + "deal_contact_associations.csv",
            ["deal_id", "contact_id"],
            {"deal_id": deal_data["hs_object_id"], "contact_id": contact_id.take(d.person)},
        )
        sink.write(
            D + "deal_company_associations.csv",
            ["deal_id", "company_id"],
            {"deal_id": deal_data["hs_object_id"], "company_id": numeric_ids(HS_COMPANY_BASE, d.account)},
        )
    sink.write(
        D + "property_history.csv",
        HISTORY_COLS,
        {
            "object_type": col("contact", ev.size),
            "object_id": h_obj,
            "property": col("lifecyclestage", ev.size),
            "value": h_val,
            "timestamp": fmt_hs_ts(h_t),
            "source_type": take(["CRM_UI", "AUTOMATION", "FORM"], p.ev_s[ev] % 3),
        },
    )
    if d.n:
        sink.write(
            D + "property_history.csv",
            HISTORY_COLS,
            {
                "object_type": col("deal", d_t.size),
                "object_id": d_obj,
                "property": col("dealstage", d_t.size),
                "value": d_val,
                "timestamp": fmt_hs_ts(d_t),
                "source_type": col("CRM_UI", d_t.size),
            },
        )


def _deals(world: World, chunk: Chunk, messy_hook):
    p, d = chunk.persons, chunk.deals
    n = d.n
    deal_id = numeric_ids(HS_DEAL_BASE, d.did)
    ev_col = deal_stage_columns(d.variant[d.ev_d], d.pipeline[d.ev_d], d.ev_s)
    cur_col = deal_stage_columns(d.variant, d.pipeline, d.stage)
    big = np.iinfo(np.int64).max
    entered = np.full((n, len(ALL_STAGE_IDS)), big, dtype=np.int64)
    np.minimum.at(entered, (d.ev_d, ev_col), d.ev_t)
    # exit of the first stay: time of the event right after the first entry into that column
    is_first = d.ev_t == entered[d.ev_d, ev_col]
    nxt = np.r_[d.ev_d[1:] == d.ev_d[:-1], False]
    exited = np.full((n, len(ALL_STAGE_IDS)), big, dtype=np.int64)
    sel = np.flatnonzero(is_first & nxt)
    exited[d.ev_d[sel], ev_col[sel]] = d.ev_t[sel + 1]
    closed = d.stage >= W
    close_t = np.where(closed, d.last_t, d.close_day * DAY)
    products = [x[2] for x in PRODUCTS]
    data = {
        "hs_object_id": deal_id,
        "dealname": join(
            account_names(world.accounts, d.account), " - ", take([x[0] for x in PRODUCTS], d.product)
        ),
        "pipeline": take([HS_DEFAULT_PIPELINE, HS_CUSTOM_PIPELINE], d.pipeline),
        "dealstage": take(ALL_STAGE_IDS, cur_col),
        "amount": col(d.amount),
        "deal_currency_code": take(world.fx.currencies, d.currency),
        "hs_deal_stage_probability": col(np.round(d.probability, 2)),
        "createdate": fmt_hs_ts(d.created),
        "closedate": fmt_hs_ts(close_t),
        "dealtype": take(DEAL_TYPE_LABELS["hubspot"], d.dtype),
        "hubspot_owner_id": numeric_ids(HS_OWNER_BASE, d.owner),
        "hs_analytics_source": take(CHANNEL_LABELS["hubspot"], p.channel[d.person]),
        "hs_is_closed": where(closed, col("true", n), "false"),
        "hs_is_closed_won": where(d.stage == W, col("true", n), "false"),
        "product_family": take(products, d.product),
        "hs_forecast_category": take(HS_FORECAST, d.stage),
        "hs_lastmodifieddate": fmt_hs_ts(modstamp(d.last_t, d.did, world.as_of_t)),
    }
    for k, sid in enumerate(ALL_STAGE_IDS):
        data[f"hs_date_entered_{sid}"] = fmt_hs_ts(entered[:, k], entered[:, k] < big)
        data[f"hs_date_exited_{sid}"] = fmt_hs_ts(exited[:, k], exited[:, k] < big)
    if world.messy:
        data["custom_internal_score"] = col(d.did % 100)
    if messy_hook is not None:
        messy_hook("hubspot", chunk, data)
    return data, deal_id.take(d.ev_d), take(ALL_STAGE_IDS, ev_col), d.ev_t
