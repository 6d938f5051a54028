"""Salesforce Data Export CSVs: API field names, every value quoted, all-zero ids for empty lookups.

Lead statuses end at conversion ("Closed - Converted"); customer / repeat_customer follow from won
opportunities (first / second won deal whose ContactId is the converted contact) and advocate from
marketing referral touches, because a Salesforce lead record carries nothing after conversion.
"""

from __future__ import annotations

import numpy as np

from ..config import (
    CHANNEL_LABELS,
    DAY,
    DEAL_TYPE_LABELS,
    INDUSTRIES,
    PRODUCTS,
    REGIONS,
    SF_DEAL_STAGE,
    SF_FORECAST,
    SF_LEAD_STATUS,
    SF_MEETING_VARIANTS,
    SF_RECYCLED,
    SF_STAGE_PROBABILITY,
    TZ_SID,
    M,
    W,
)
from ..ids import sf_ids, sf_ids_or_null
from ..timeutil import fmt_date_days, fmt_sf_ts
from ..world import Chunk, World, modstamp
from .common import Sink, col, join, money, take, where
from .fields import account_names, country_names, first_names, last_names, owner_email, phones, titles

D = "salesforce/"
LEAD_COLS = [
    "Id",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "Company",
    "Title",
    "Status",
    "LeadSource",
    "OwnerId",
    "Country",
    "Industry",
    "NumberOfEmployees",
    "IsConverted",
    "ConvertedDate",
    "ConvertedAccountId",
    "ConvertedContactId",
    "ConvertedOpportunityId",
    "MasterRecordId",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
    "Lead_Score__c",
    "Preferred_Language__c",
]
LEAD_HISTORY_COLS = [
    "Id",
    "LeadId",
    "CreatedById",
    "CreatedDate",
    "Field",
    "OldValue",
    "NewValue",
    "IsDeleted",
]
CONTACT_COLS = [
    "Id",
    "AccountId",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "Title",
    "LeadSource",
    "OwnerId",
    "MasterRecordId",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
]
ACCOUNT_COLS = [
    "Id",
    "Name",
    "Type",
    "Industry",
    "NumberOfEmployees",
    "AnnualRevenue",
    "BillingCountry",
    "OwnerId",
    "ParentId",
    "MasterRecordId",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
]
OPPORTUNITY_COLS = [
    "Id",
    "AccountId",
    "ContactId",
    "Name",
    "StageName",
    "Amount",
    "Probability",
    "ExpectedRevenue",
    "CloseDate",
    "Type",
    "LeadSource",
    "ForecastCategoryName",
    "IsClosed",
    "IsWon",
    "OwnerId",
    "CampaignId",
    "CurrencyIsoCode",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
    "Product_Family__c",
    "Competitor__c",
]
OPP_HISTORY_COLS = [
    "Id",
    "OpportunityId",
    "CreatedById",
    "CreatedDate",
    "StageName",
    "Amount",
    "ExpectedRevenue",
    "CloseDate",
    "Probability",
    "ForecastCategory",
    "IsDeleted",
    "SystemModstamp",
]
OPP_STAGE_COLS = [
    "Id",
    "MasterLabel",
    "ApiName",
    "IsActive",
    "SortOrder",
    "IsClosed",
    "IsWon",
    "ForecastCategoryName",
    "DefaultProbability",
]
LINE_ITEM_COLS = [
    "Id",
    "OpportunityId",
    "Product2Id",
    "Quantity",
    "UnitPrice",
    "TotalPrice",
    "IsDeleted",
    "CreatedDate",
    "SystemModstamp",
]
PRODUCT_COLS = ["Id", "Name", "ProductCode", "Family", "IsActive"]
CAMPAIGN_COLS = [
    "Id",
    "Name",
    "Type",
    "Status",
    "StartDate",
    "EndDate",
    "BudgetedCost",
    "ActualCost",
    "ParentId",
    "IsActive",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
]
CAMPAIGN_MEMBER_COLS = [
    "Id",
    "CampaignId",
    "LeadId",
    "ContactId",
    "Status",
    "HasResponded",
    "FirstRespondedDate",
    "IsDeleted",
    "CreatedDate",
]
USER_COLS = [
    "Id",
    "Name",
    "FirstName",
    "LastName",
    "Email",
    "ManagerId",
    "UserRoleId",
    "Department",
    "Division",
    "Title",
    "TimeZoneSidKey",
    "IsActive",
    "CreatedDate",
]
USER_ROLE_COLS = ["Id", "Name", "ParentRoleId"]
TEAMS = ["SMB", "Mid-Market", "Enterprise"]
_CAMPAIGN_TYPES = {0: "Advertisement", 1: "Advertisement", 3: "Email", 4: "Conference", 7: "Partners"}
LANGS = ["English", "German", "French", "Japanese", "Spanish"]


def _w(sink: Sink, name: str, cols: list[str], data: dict) -> int:
    return sink.write(D + name, cols, data, quote_all=True, fill="")


def lead_status_labels(chunk: Chunk) -> np.ndarray:
    """Salesforce status label per lifecycle event (object array; '' for events a lead does not carry)."""
    labels = np.array([SF_LEAD_STATUS.get(s, "") for s in range(10)], dtype=object)[chunk.persons.ev_s]
    labels[chunk.recycled_event] = SF_RECYCLED
    return labels


def opportunity_stage_labels(variant: np.ndarray, stage: np.ndarray) -> np.ndarray:
    labels = np.array(SF_DEAL_STAGE, dtype=object)[stage]
    meeting = stage == M
    labels[meeting] = np.array(SF_MEETING_VARIANTS, dtype=object)[variant[meeting] % 3]
    return labels


def render_company(world: World, sink: Sink) -> None:
    """Objects that do not depend on persons: accounts, users, roles, products, stages, campaigns."""
    o, a, c = world.owners, world.accounts, world.campaigns
    oi = np.arange(o.n)
    # roles: 0 VP, 1..9 managers of (region, team), 10..18 reps of (region, team)
    role_names = (
        ["VP Sales"]
        + [f"Sales Manager {REGIONS[k // 3]} {TEAMS[k % 3]}" for k in range(9)]
        + [f"Account Executive {REGIONS[k // 3]} {TEAMS[k % 3]}" for k in range(9)]
    )
    role_parent = np.array([-1] + [0] * 9 + list(range(1, 10)))
    ri = np.arange(len(role_names))
    _w(
        sink,
        "UserRole.csv",
        USER_ROLE_COLS,
        {
            "Id": sf_ids("00E", ri + 1),
            "Name": col(np.array(role_names, dtype=object)),
            "ParentRoleId": sf_ids_or_null("00E", role_parent + 1, role_parent >= 0),
        },
    )
    key = o.region * 3 + np.maximum(o.team, 0)
    role = np.where(o.team < 0, 0, np.where(o.manager == 0, 1 + key, 10 + key))
    fn, ln = first_names(o.first), last_names(o.last)
    title = np.where(o.team < 0, "VP Sales", np.where(o.manager == 0, "Sales Manager", "Account Executive"))
    _w(
        sink,
        "User.csv",
        USER_COLS,
        {
            "Id": sf_ids("005", oi + 1),
            "Name": join(fn, " ", ln),
            "FirstName": fn,
            "LastName": ln,
            "Email": owner_email(o, oi),
            "ManagerId": sf_ids_or_null("005", o.manager + 1, o.manager >= 0),
            "UserRoleId": sf_ids("00E", role + 1),
            "Department": take(["Sales"] + TEAMS, o.team + 1),
            "Division": take(REGIONS, o.region),
            "Title": col(title.astype(object)),
            "TimeZoneSidKey": take(
                [TZ_SID[z] for z in sorted(TZ_SID)], np.searchsorted(sorted(TZ_SID), o.tz)
            ),
            "IsActive": col("true", o.n),
            "CreatedDate": fmt_sf_ts(o.created),
        },
    )
    ai = np.arange(a.n)
    stamp = fmt_sf_ts(a.created + (ai % 50) * DAY)
    _w(
        sink,
        "Account.csv",
        ACCOUNT_COLS,
        {
            "Id": sf_ids("001", ai + 1),
            "Name": account_names(a, ai),
            "Type": col("Prospect", a.n),
            "Industry": take(INDUSTRIES, a.industry),
            "NumberOfEmployees": col(a.employees),
            "AnnualRevenue": money(a.annual_revenue),
            "BillingCountry": country_names(a.country),
            "OwnerId": sf_ids("005", a.owner + 1),
            "ParentId": sf_ids_or_null("001", ai, np.zeros(a.n, bool)),
            "MasterRecordId": sf_ids_or_null("001", ai, np.zeros(a.n, bool)),
            "IsDeleted": col("0", a.n),
            "CreatedDate": fmt_sf_ts(a.created),
            "LastModifiedDate": stamp,
            "SystemModstamp": stamp,
        },
    )
    pi = np.arange(len(PRODUCTS))
    _w(
        sink,
        "Product2.csv",
        PRODUCT_COLS,
        {
            "Id": sf_ids("01t", pi + 1),
            "Name": col(np.array([p[0] for p in PRODUCTS], dtype=object)),
            "ProductCode": col(np.array([p[1] for p in PRODUCTS], dtype=object)),
            "Family": col(np.array([p[2] for p in PRODUCTS], dtype=object)),
            "IsActive": col("true", pi.size),
        },
    )
    labels = [
        "Qualification",
        *SF_MEETING_VARIANTS,
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    ]
    canon = [0, 1, 1, 1, 2, 3, 4, 5]
    si = np.arange(len(labels))
    _w(
        sink,
        "OpportunityStage.csv",
        OPP_STAGE_COLS,
        {
            "Id": sf_ids("01J", si + 1),
            "MasterLabel": col(np.array(labels, dtype=object)),
            "ApiName": col(np.array(labels, dtype=object)),
            "IsActive": col("true", si.size),
            "SortOrder": col(si + 1),
            "IsClosed": col(np.array(["true" if k >= W else "false" for k in canon], dtype=object)),
            "IsWon": col(np.array(["true" if k == W else "false" for k in canon], dtype=object)),
            "ForecastCategoryName": take(SF_FORECAST, np.array(canon)),
            "DefaultProbability": col(np.array(SF_STAGE_PROBABILITY)[canon]),
        },
    )
    ci = np.arange(c.n)
    days = (c.slice_end - c.slice_start) // DAY
    ended = c.slice_end <= world.as_of_t
    _w(
        sink,
        "Campaign.csv",
        CAMPAIGN_COLS,
        {
            "Id": sf_ids("701", ci + 1),
            "Name": col(np.array(c.utm, dtype=object)),
            "Type": take([_CAMPAIGN_TYPES.get(k, "Other") for k in range(8)], c.channel),
            "Status": where(ended, col("Completed", c.n), "In Progress"),
            "StartDate": fmt_date_days(c.slice_start // DAY),
            "EndDate": fmt_date_days(c.slice_end // DAY - 1),
            "BudgetedCost": money(c.daily_budget * days),
            "ActualCost": money(c.daily_budget * days * 9 // 10),
            "ParentId": sf_ids_or_null("701", ci, np.zeros(c.n, bool)),
            "IsActive": where(ended, col("false", c.n), "true"),
            "IsDeleted": col("false", c.n),
            "CreatedDate": fmt_sf_ts(c.slice_start - 7 * DAY),
            "LastModifiedDate": fmt_sf_ts(np.minimum(c.slice_end, world.as_of_t)),
        },
    )


def render_chunk(world: World, chunk: Chunk, sink: Sink, messy_hook=None) -> None:
    p, d, a = chunk.persons, chunk.deals, world.accounts
    n = p.n
    as_of_t = world.as_of_t
    fn, ln = first_names(p.first), last_names(p.last)
    conv = chunk.converted
    # current lead status = last event a lead carries
    labels = lead_status_labels(chunk)
    carried = np.flatnonzero(chunk.pre_deal_events)
    status = np.empty(n, dtype=object)
    status[p.ev_p[carried]] = labels[carried]  # events are time-ordered: the last write wins
    last_status_t = p.created.copy()
    np.maximum.at(last_status_t, p.ev_p[carried], p.ev_t[carried])
    lead_mod = fmt_sf_ts(modstamp(last_status_t, p.pid, as_of_t))
    lead_source = take(CHANNEL_LABELS["salesforce"], p.channel)
    _w(
        sink,
        "Lead.csv",
        LEAD_COLS,
        {
            "Id": sf_ids("00Q", p.pid + 1),
            "FirstName": fn,
            "LastName": ln,
            "Email": chunk.email,
            "Phone": phones(p.country, p.pid),
            "Company": account_names(a, p.account),
            "Title": titles(p.title),
            "Status": col(status),
            "LeadSource": lead_source,
            "OwnerId": sf_ids("005", p.owner + 1),
            "Country": country_names(p.country),
            "Industry": take(INDUSTRIES, a.industry[p.account]),
            "NumberOfEmployees": col(a.employees[p.account]),
            "IsConverted": where(conv, col("1", n), "0"),
            "ConvertedDate": fmt_date_days(chunk.opp_t // DAY, conv),
            "ConvertedAccountId": sf_ids_or_null("001", p.account + 1, conv),
            "ConvertedContactId": sf_ids_or_null("003", p.pid + 1, conv),
            "ConvertedOpportunityId": sf_ids_or_null("006", chunk.nb_deal + 1, chunk.nb_deal >= 0),
            "MasterRecordId": sf_ids_or_null("00Q", p.pid, np.zeros(n, bool)),
            "IsDeleted": col("0", n),
            "CreatedDate": fmt_sf_ts(p.created),
            "LastModifiedDate": lead_mod,
            "SystemModstamp": lead_mod,
            "Lead_Score__c": col(p.score),
            "Preferred_Language__c": take(LANGS, p.pid % len(LANGS)),
        },
    )
    _lead_history(world, chunk, sink, labels, carried)
    ci = np.flatnonzero(conv)
    cmod = fmt_sf_ts(modstamp(chunk.opp_t[ci], p.pid[ci], as_of_t))
    _w(
        sink,
        "Contact.csv",
        CONTACT_COLS,
        {
            "Id": sf_ids("003", p.pid[ci] + 1),
            "AccountId": sf_ids("001", p.account[ci] + 1),
            "FirstName": fn.take(ci),
            "LastName": ln.take(ci),
            "Email": chunk.email.take(ci),
            "Phone": phones(p.country[ci], p.pid[ci]),
            "Title": titles(p.title[ci]),
            "LeadSource": lead_source.take(ci),
            "OwnerId": sf_ids("005", p.owner[ci] + 1),
            "MasterRecordId": sf_ids_or_null("003", ci, np.zeros(ci.size, bool)),
            "IsDeleted": col("0", ci.size),
            "CreatedDate": fmt_sf_ts(chunk.opp_t[ci]),
            "LastModifiedDate": cmod,
            "SystemModstamp": cmod,
        },
    )
    _campaign_members(chunk, sink)
    if d.n:
        _opportunities(world, chunk, sink, messy_hook)


def _lead_history(world: World, chunk: Chunk, sink: Sink, labels: np.ndarray, carried: np.ndarray) -> None:
    p = chunk.persons
    ev = carried[~chunk.first_event[carried]]  # status changes: every carried event but the first
    prev = carried[np.searchsorted(carried, ev) - 1]
    rating = np.flatnonzero(p.pid % 5 == 0)
    rating_t = p.created[rating] + (chunk.last_t[rating] - p.created[rating]) // 2 + 1
    lead = np.concatenate([np.arange(p.n), p.ev_p[ev], rating])
    t = np.concatenate([p.created, p.ev_t[ev], rating_t])
    kind = np.concatenate([np.zeros(p.n, np.int64), np.ones(ev.size, np.int64), np.full(rating.size, 2)])
    old = np.concatenate(
        [np.full(p.n, "", dtype=object), labels[prev], np.full(rating.size, "Cold", dtype=object)]
    )
    new = np.concatenate(
        [np.full(p.n, "", dtype=object), labels[ev], np.full(rating.size, "Warm", dtype=object)]
    )
    order = np.lexsort((kind, t, lead))
    field = np.array(["created", "Status", "Rating"], dtype=object)[kind[order]]
    base = sink.rows.get(D + "LeadHistory.csv", 0)
    _w(
        sink,
        "LeadHistory.csv",
        LEAD_HISTORY_COLS,
        {
            "Id": sf_ids("017", base + np.arange(order.size) + 1),
            "LeadId": sf_ids("00Q", p.pid[lead[order]] + 1),
            "CreatedById": sf_ids("005", p.owner[lead[order]] + 1),
            "CreatedDate": fmt_sf_ts(t[order]),
            "Field": col(field),
            "OldValue": col(old[order]),
            "NewValue": col(new[order]),
            "IsDeleted": col("0", order.size),
        },
    )


def _campaign_members(chunk: Chunk, sink: Sink) -> None:
    tch, p = chunk.touches, chunk.persons
    # the identifying touch: the first known touch of each person
    known = np.flatnonzero(tch.known)
    first = known[np.r_[True, tch.person[known][1:] != tch.person[known][:-1]]]
    first = first[tch.campaign[first] >= 0]
    who = tch.person[first]
    conv = chunk.converted[who]
    _w(
        sink,
        "CampaignMember.csv",
        CAMPAIGN_MEMBER_COLS,
        {
            "Id": sf_ids("00v", p.pid[who] + 1),
            "CampaignId": sf_ids("701", tch.campaign[first] + 1),
            "LeadId": sf_ids("00Q", p.pid[who] + 1),
            "ContactId": sf_ids_or_null("003", p.pid[who] + 1, conv),
            "Status": col("Responded", who.size),
            "HasResponded": col("true", who.size),
            "FirstRespondedDate": fmt_date_days(tch.t[first] // DAY),
            "IsDeleted": col("false", who.size),
            "CreatedDate": fmt_sf_ts(tch.t[first]),
        },
    )


def _opportunities(world: World, chunk: Chunk, sink: Sink, messy_hook) -> None:
    p, d, a = chunk.persons, chunk.deals, world.accounts
    n = d.n
    closed = d.stage >= W
    prob = np.round(d.probability * 100).astype(np.int64)
    mod = modstamp(d.last_t, d.did, world.as_of_t)
    products = np.array([x[0] for x in PRODUCTS], dtype=object)
    ccy = take(world.fx.currencies, d.currency)
    data = {
        "Id": sf_ids("006", d.did + 1),
        "AccountId": sf_ids("001", d.account + 1),
        "ContactId": sf_ids("003", p.pid[d.person] + 1),
        "Name": join(account_names(a, d.account), " - ", col(products[d.product])),
        "StageName": col(opportunity_stage_labels(d.variant, d.stage)),
        "Amount": money(d.amount),
        "Probability": col(prob),
        "ExpectedRevenue": money(d.amount * prob // 100),
        "CloseDate": fmt_date_days(d.close_day),
        "Type": take(DEAL_TYPE_LABELS["salesforce"], d.dtype),
        "LeadSource": take(CHANNEL_LABELS["salesforce"], p.channel[d.person]),
        "ForecastCategoryName": take(SF_FORECAST, d.stage),
        "IsClosed": where(closed, col("1", n), "0"),
        "IsWon": where(d.stage == W, col("1", n), "0"),
        "OwnerId": sf_ids("005", d.owner + 1),
        "CampaignId": sf_ids_or_null("701", d.did, np.zeros(n, bool)),
        "CurrencyIsoCode": ccy,
        "IsDeleted": col("0", n),
        "CreatedDate": fmt_sf_ts(d.created),
        "LastModifiedDate": fmt_sf_ts(mod),
        "SystemModstamp": fmt_sf_ts(mod),
        "Product_Family__c": take([x[2] for x in PRODUCTS], d.product),
        "Competitor__c": take(["", "Competitor A", "Competitor B", "None"], d.did % 4),
    }
    if messy_hook is not None:
        messy_hook("salesforce", chunk, data)
    _w(sink, "Opportunity.csv", OPPORTUNITY_COLS, data)
    # history: one row per stage entry, plus close-date edits that repeat the current stage
    e = np.arange(d.ev_d.size)
    nxt_same = np.r_[d.ev_d[1:] == d.ev_d[:-1], False]
    edit = e[(d.did[d.ev_d] % 4 == 1)]
    edit_end = np.where(nxt_same[edit], d.ev_t[np.minimum(edit + 1, e.size - 1)], world.as_of_t)
    edit_t = d.ev_t[edit] + np.maximum((edit_end - d.ev_t[edit]) // 2, 1)
    rows = np.concatenate([e, edit])
    is_edit = np.r_[np.zeros(e.size, bool), np.ones(edit.size, bool)]
    t = np.concatenate([d.ev_t, edit_t])
    order = np.lexsort((is_edit, t, d.ev_d[rows]))
    rows, is_edit, t = rows[order], is_edit[order], t[order]
    deal = d.ev_d[rows]
    stage = d.ev_s[rows]
    hprob = np.array(SF_STAGE_PROBABILITY)[stage]
    close_day = np.where(is_edit, d.close_day[deal] + 7, d.close_day[deal])
    close_day = np.where(is_edit & closed[deal], d.close_day[deal], close_day)
    base = sink.rows.get(D + "OpportunityHistory.csv", 0)
    _w(
        sink,
        "OpportunityHistory.csv",
        OPP_HISTORY_COLS,
        {
            "Id": sf_ids("008", base + np.arange(rows.size) + 1),
            "OpportunityId": sf_ids("006", d.did[deal] + 1),
            "CreatedById": sf_ids("005", d.owner[deal] + 1),
            "CreatedDate": fmt_sf_ts(t),
            "StageName": col(opportunity_stage_labels(d.variant[deal], stage)),
            "Amount": money(d.amount[deal]),
            "ExpectedRevenue": money(d.amount[deal] * hprob // 100),
            "CloseDate": fmt_date_days(close_day),
            "Probability": col(hprob),
            "ForecastCategory": take(SF_FORECAST, stage),
            "IsDeleted": col("0", rows.size),
            "SystemModstamp": fmt_sf_ts(t),
        },
    )
    _w(
        sink,
        "OpportunityLineItem.csv",
        LINE_ITEM_COLS,
        {
            "Id": sf_ids("00k", d.did + 1),
            "OpportunityId": sf_ids("006", d.did + 1),
            "Product2Id": sf_ids("01t", d.product + 1),
            "Quantity": col(d.qty),
            "UnitPrice": money(d.unit),
            "TotalPrice": money(d.amount),
            "IsDeleted": col("0", n),
            "CreatedDate": fmt_sf_ts(d.created),
            "SystemModstamp": fmt_sf_ts(d.created),
        },
    )
