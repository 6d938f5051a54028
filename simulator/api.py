"""`generate`: simulate one company and render it as every requested export, plus truth.json.

Persons are simulated and written in chunks (each with its own random stream derived from the seed
and the chunk number), so memory stays bounded for 10M leads and the output depends only on
(seed, leads, as_of, messy), never on machine or timing.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from . import company, deals, marketing, people, truth
from .config import CHANNEL_LABELS, CHANNELS, COUNTRIES, DAY, DEAL_TYPE_LABELS, DEAL_TYPES
from .fx import FX_RULE, load_fx
from .ids import deal_id, person_id
from .messy import BOM_FILES, Messy
from .render import generic as r_generic
from .render import hubspot as r_hubspot
from .render import marketing as r_marketing
from .render import salesforce as r_salesforce
from .render.common import Sink
from .timeutil import day_weights, epoch_seconds, window_start
from .world import Chunk, World

FORMATS = ("salesforce", "hubspot", "generic", "marketing")
CHUNK_PERSONS = 100_000


@dataclass
class GenerationSummary:
    """What was written: file paths (relative to out_dir) with their data-row counts, and the time taken."""

    out_dir: Path
    truth_path: Path
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _formats(formats: Sequence[str] | str) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    out: list[str] = []
    for f in formats:
        for name in FORMATS if f == "all" else (f,):
            if name not in FORMATS:
                raise ValueError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)} or 'all'")
            if name not in out:
                out.append(name)
    return [f for f in FORMATS if f in out]


def generate(
    out_dir: Path,
    leads: int,
    seed: int,
    formats: Sequence[str] = FORMATS,
    messy: bool = False,
    as_of: date = date(2025, 6, 30),
    on_step: Callable[[str], None] | None = None,
    chunk_persons: int = CHUNK_PERSONS,
) -> GenerationSummary:
    """Write synthetic exports of one simulated company under out_dir, and its truth.json.

    formats: any of salesforce, hubspot, generic, marketing, or "all". The format folders under out_dir
    are replaced (they are the generator's own output); nothing else in out_dir is touched.
    """
    started = time.perf_counter()
    step = on_step or (lambda name: None)
    if leads < 1:
        raise ValueError("leads must be at least 1")
    fmts = _formats(formats)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in fmts:
        shutil.rmtree(out_dir / f, ignore_errors=True)
    as_of_t = epoch_seconds(as_of) + DAY - 1

    step("company")
    master = np.random.Generator(np.random.PCG64(seed))
    currencies = sorted({c[2] for c in COUNTRIES} | {"USD", "EUR", "GBP"})
    fx = load_fx(currencies)
    owners = company.make_owners(master, leads, as_of)
    accounts = company.make_accounts(master, leads, owners, as_of)
    campaigns = company.make_campaigns(master, leads, as_of, currencies)
    spend = marketing.make_spend(master, campaigns, as_of_t)
    world = World(
        seed=seed,
        as_of=as_of,
        as_of_t=as_of_t,
        owners=owners,
        accounts=accounts,
        campaigns=campaigns,
        spend=spend,
        fx=fx,
        messy=messy,
    )
    sink = Sink(out_dir, bom_files=BOM_FILES if messy else set())
    mess = Messy(world, set(fmts)) if messy else None
    hook = mess.hook if mess else None
    renderers = {"salesforce": r_salesforce, "hubspot": r_hubspot, "generic": r_generic}
    for f in fmts:
        if f in renderers:
            renderers[f].render_company(world, sink)
    if "marketing" in fmts:
        r_marketing.render_spend(world, sink)

    day_starts, day_probs = day_weights(window_start(as_of), as_of)
    tr = truth.Truth()
    n_deals = n_touches = n_emails = 0
    chunks = -(-leads // chunk_persons)
    for ci in range(chunks):
        step(f"persons {ci + 1}/{chunks}")
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, ci])))
        start = ci * chunk_persons
        n = min(chunk_persons, leads - start)
        ps = people.make_persons(rng, start, n, accounts, owners, day_starts, day_probs, as_of_t)
        ds = deals.make_deals(rng, n_deals, ps, accounts, owners, fx, as_of_t)
        referrer = marketing.assign_referrals(rng, ps)
        emails = marketing.make_email_events(rng, ps, campaigns, as_of_t)
        touches = marketing.make_touches(rng, ps, referrer, campaigns, emails, as_of_t)
        chunk = Chunk(
            index=ci,
            persons=ps,
            deals=ds,
            touches=touches,
            emails=emails,
            referrer=referrer,
            accounts=accounts,
        )
        tr.add_persons(ps)
        tr.add_deals(ds, ps.channel[ds.person])
        for f in fmts:
            if f in renderers:
                renderers[f].render_chunk(world, chunk, sink, hook)
        if "marketing" in fmts:
            r_marketing.render_chunk(world, chunk, sink, n_touches, n_emails)
        n_deals += ds.n
        n_touches += touches.t.size
        n_emails += emails.t.size

    messy_section = None
    if mess is not None:
        step("messy")
        messy_section = mess.finish(sink)
    sink.close()

    step("truth")
    doc = {
        "as_of": as_of.isoformat(),
        "seed": seed,
        "leads": leads,
        "formats": fmts,
        "reporting_currency": "USD",
        "window_start": window_start(as_of).isoformat(),
        "channels": {
            "values": CHANNELS,
            "lead_source_labels": {
                fmt: dict(zip(CHANNELS, labels, strict=True)) for fmt, labels in CHANNEL_LABELS.items()
            },
            "rule": "a person's channel is the channel of their first touch; the CRM lead source says the same "
            "(Salesforce LeadSource, HubSpot hs_analytics_source, generic Lead Source); a deal's channel "
            "is its primary person's",
        },
        "deal_types": {
            "values": DEAL_TYPES,
            "labels": {fmt: dict(zip(DEAL_TYPES, lab, strict=True)) for fmt, lab in DEAL_TYPE_LABELS.items()},
        },
        "counts": {
            "persons": leads,
            "deals": n_deals,
            "accounts": accounts.n,
            "owners": owners.n,
            "touches": n_touches,
            "email_events": n_emails,
            "spend_rows": int(spend.day.size),
            "campaigns": campaigns.n,
            "products": 7,
        },
        "files": dict(sorted(sink.rows.items())),
        "fx_rule": FX_RULE,
        "persons": tr.persons_dict(),
        "deals": tr.deals_dict(),
        "transitions": {**tr.transitions_dict(), "examples": _examples(tr.examples)},
        "derivations": {
            "customer": "close of the person's first won deal (the person is the deal's primary contact)",
            "repeat_customer": "close of the person's second won deal; neither Salesforce lead status nor HubSpot "
            "lifecycle has this stage, so it is only written in generic stage_events",
            "advocate": "first stage entry of a person whose referral touch names this customer in "
            "referred_by_email (HubSpot: evangelist)",
            "opportunity": "creation of the person's new-business deal (Salesforce: lead conversion)",
            "salesforce_lifecycle": "Lead statuses (LeadHistory Field='Status') stop at 'Closed - Converted'; the "
            "first stage is the OldValue of the lead's first Status row (or its Status "
            "when it has none), entered at Lead.CreatedDate",
            "hubspot_stage_dates": "hs_lifecyclestage_*_date and hs_date_entered_* hold the FIRST entry, "
            "hs_date_exited_* the end of that first stay; property_history is complete",
            "deal_close_date": "CloseDate / closedate / Expected Close Date: UTC date of the closing stage entry for "
            "closed deals, expected close date for open deals",
            "stale_probability": "open deals untouched for 75 days carry probability 0.05",
        },
        "messy": messy_section,
    }
    truth_path = out_dir / "truth.json"
    truth_path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
    return GenerationSummary(
        out_dir=out_dir,
        truth_path=truth_path,
        files={rel: out_dir / rel for rel in sink.rows},
        rows=dict(sink.rows),
        seconds=round(time.perf_counter() - started, 3),
    )


def _examples(found: dict[str, int]) -> dict[str, dict[str, str]]:
    out = {}
    for name, index in sorted(found.items()):
        make = person_id if name.startswith("person") else deal_id
        out[name] = {fmt: make(fmt, index) for fmt in ("salesforce", "hubspot", "generic")}
    return out
