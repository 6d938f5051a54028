"""--messy: realistic dirt that leaves the clean truth unchanged, and an exact record of it.

Dirt is either extra records with new ids (unknown labels, blank or negative amounts, unparseable
dates, a missing required value) or extra older versions of existing records in an earlier dated
export folder; real rows only get case / whitespace variants of labels that still map. Every
injection is recorded for truth.json's `messy` section.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .config import DAY, W
from .ids import numeric_ids, prefixed_ids, sf_ids
from .render import generic, hubspot, marketing, salesforce
from .render.common import STR, col, join
from .timeutil import fmt_hs_ts, fmt_sf_ts
from .world import Chunk, World

BOM_FILES = {"generic/accounts.csv", "hubspot/companies.csv"}
EXTRA_COLUMNS = {"generic/persons.csv": ["Favourite Colour"], "hubspot/deals.csv": ["custom_internal_score"]}
_VARIANT_MOD, _VARIANT_REM = 37, 11
_MAX_VERSIONS = 25
_EXTRA_BASE = 900_000_000


class Messy:
    def __init__(self, world: World, formats: set[str]) -> None:
        self.world = world
        self.formats = formats
        self.old_export = (world.as_of - timedelta(days=1)).isoformat()
        self.variants: dict[str, int] = defaultdict(int)
        self.variant_labels: dict[str, set[str]] = defaultdict(set)
        self.versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.quarantine: list[dict[str, Any]] = []
        self.extra_records: dict[str, int] = defaultdict(int)
        self.unmapped: list[dict[str, str]] = []
        self._null_amounts: dict[str, int] = {}
        self.world_sink = None

    # ------------------------------------------------------------ per chunk
    def hook(self, fmt: str, chunk: Chunk, data: dict[str, Any]) -> None:
        d = chunk.deals
        variant = (d.did % _VARIANT_MOD) == _VARIANT_REM
        if fmt in ("salesforce", "generic"):
            column = "StageName" if fmt == "salesforce" else "Stage"
            rel = "salesforce/Opportunity.csv" if fmt == "salesforce" else "generic/deals.csv"
            label = data[column]
            upper = join(" ", pc.utf8_upper(label))
            lower = join(pc.utf8_lower(label), "  ")
            changed = pc.if_else(pa.array(d.did % 2 == 0), upper, lower)
            data[column] = pc.if_else(pa.array(variant), changed, label)
            self.variants[rel] += int(variant.sum())
            self.variant_labels[rel].update(changed.filter(pa.array(variant)).to_pylist()[:50])
        # older versions: deals untouched in the last two days, identical but for an older modified time
        key = {"salesforce": "salesforce/Opportunity.csv", "hubspot": "hubspot/deals.csv"}.get(fmt)
        if key is None or len(self.versions[key]) >= _MAX_VERSIONS:
            return
        ok = np.flatnonzero(~variant & (d.last_t < self.world.as_of_t - 2 * DAY))[
            : _MAX_VERSIONS - len(self.versions[key])
        ]
        if ok.size == 0:
            return
        older = d.last_t[ok] + 60
        rows = {
            name: (arr.take(pa.array(ok)) if isinstance(arr, pa.Array) else arr) for name, arr in data.items()
        }
        if fmt == "salesforce":
            rows["LastModifiedDate"] = rows["SystemModstamp"] = fmt_sf_ts(older)
        else:
            rows["hs_lastmodifieddate"] = fmt_hs_ts(older)
        self.versions[key].append(rows)

    # ------------------------------------------------------------- at the end
    def finish(self, sink) -> dict[str, Any]:
        dup_files: dict[str, int] = {}
        for key, parts in self.versions.items():
            folder, name = key.split("/")
            rel = f"{folder}/{self.old_export}/{name}"
            cols = (
                salesforce.OPPORTUNITY_COLS
                if folder == "salesforce"
                else hubspot.DEAL_COLS + ["custom_internal_score"]
            )
            for part in parts:
                sink.write(
                    rel,
                    cols,
                    part,
                    quote_all=folder == "salesforce",
                    fill="" if folder == "salesforce" else None,
                )
            dup_files[rel] = sum(len(next(iter(p.values()))) for p in parts)
        if "salesforce" in self.formats:
            self._salesforce(sink)
        if "hubspot" in self.formats:
            self._hubspot(sink)
        if "generic" in self.formats:
            self._generic(sink)
        if "marketing" in self.formats:
            self._marketing(sink)
        staged = defaultdict(int)
        for rel, n in dup_files.items():
            staged[_raw_table(rel)] += n
        for table, n in self.extra_records.items():
            staged[table] += n
        return {
            "description": "dirt added on top of the clean exports; the clean truth above excludes all of it",
            "expected_quarantine": self.quarantine,
            "extra_staged_rows": dict(sorted(staged.items())),
            "extra_records": dict(sorted(self.extra_records.items())),
            "unmapped_labels": self.unmapped,
            "duplicate_versions": dup_files,
            "label_variants": [
                {
                    "file": rel,
                    "rows": n,
                    "examples": sorted(self.variant_labels[rel])[:8],
                    "rule": f"deals whose global index % {_VARIANT_MOD} == {_VARIANT_REM}; still map after "
                    "lower/trim/collapse-spaces normalisation",
                }
                for rel, n in sorted(self.variants.items())
            ],
            "bom_files": sorted(f for f in BOM_FILES if f.split("/")[0] in self.formats),
            "extra_columns": {f: c for f, c in EXTRA_COLUMNS.items() if f.split("/")[0] in self.formats},
            "null_amount_records": {k: v for k, v in self._null_amounts.items()},
            "loader_assumptions": [
                'empty or whitespace-only values (quoted "" in Salesforce files) are null',
                "a row with several problems is not generated: each dirty row has exactly one",
            ],
        }

    def _rows(self, rel: str, cols: list[str], rows: list[dict[str, str]], quote_all: bool) -> None:
        data = {c: pa.array([r.get(c, "" if quote_all else None) for r in rows], type=STR) for c in cols}
        self.world_sink.write(rel, cols, data, quote_all=quote_all, fill="" if quote_all else None)

    def _quarantine(self, rel: str, reason: str, rows: int) -> None:
        self.quarantine.append({"file": rel, "reason_code": reason, "rows": rows})

    def _salesforce(self, sink) -> None:
        self.world_sink = sink
        rel = "salesforce/Opportunity.csv"
        ids = sf_ids("006", _EXTRA_BASE + np.arange(20)).to_pylist()
        base = {
            "AccountId": sf_ids("001", np.array([1]))[0].as_py(),
            "OwnerId": sf_ids("005", np.array([11]))[0].as_py(),
            "ContactId": "000000000000000AAA",
            "CampaignId": "000000000000000AAA",
            "Name": "Extra deal",
            "StageName": "Qualification",
            "Amount": "1000.00",
            "Probability": "10",
            "CloseDate": "2025-07-31",
            "Type": "New Business",
            "LeadSource": "Direct",
            "IsClosed": "0",
            "IsWon": "0",
            "CurrencyIsoCode": "USD",
            "IsDeleted": "0",
            "CreatedDate": "2025-06-01T10:00:00.000+0000",
            "LastModifiedDate": "2025-06-02T10:00:00.000+0000",
            "SystemModstamp": "2025-06-02T10:00:00.000+0000",
        }
        edits = (
            [{"StageName": "Legal Review"}] * 3
            + [{"Amount": ""}] * 3
            + [{"Amount": "-500.00"}] * 2
            + [{"CloseDate": "31.02.2025"}] * 2
            + [{"CreatedDate": "yesterday"}]
            + [{"Probability": "150"}]
        )
        rows = [{**base, "Id": ids[i], **e} for i, e in enumerate(edits)]
        self._rows(rel, salesforce.OPPORTUNITY_COLS, rows, True)
        self.extra_records["raw.salesforce__opportunity"] += 6
        self.unmapped.append({"source_system": "salesforce", "label": "Legal Review"})
        self._null_amounts[rel] = 3
        self._quarantine(rel, "below_min:amount", 2)
        self._quarantine(rel, "unparseable_date:closedate", 2)
        self._quarantine(rel, "unparseable_timestamp:createddate", 1)
        self._quarantine(rel, "above_max:probability", 1)
        lead = {
            "Id": sf_ids("00Q", np.array([_EXTRA_BASE]))[0].as_py(),
            "LastName": "Nobody",
            "Status": "",
            "OwnerId": base["OwnerId"],
            "CreatedDate": "2025-06-01T10:00:00.000+0000",
            "IsConverted": "0",
        }
        self._rows("salesforce/Lead.csv", salesforce.LEAD_COLS, [lead], True)
        self._quarantine("salesforce/Lead.csv", "missing_required:status", 1)

    def _hubspot(self, sink) -> None:
        self.world_sink = sink
        rel = "hubspot/deals.csv"
        ids = numeric_ids(9_900_000_001, np.arange(4)).to_pylist()
        base = {
            "dealname": "Extra deal",
            "pipeline": "default",
            "dealstage": "appointmentscheduled",
            "deal_currency_code": "USD",
            "createdate": "2025-06-01T10:00:00.000Z",
            "hs_lastmodifieddate": "2025-06-02T10:00:00.000Z",
            "hs_is_closed": "false",
        }
        rows = [
            {**base, "hs_object_id": ids[i], "amount": amt} for i, amt in enumerate(["-250", "-250", "", ""])
        ]
        self._rows(rel, hubspot.DEAL_COLS + ["custom_internal_score"], rows, False)
        self.extra_records["raw.hubspot__deals"] += 2
        self._null_amounts[rel] = 2
        self._quarantine(rel, "below_min:amount", 2)

    def _generic(self, sink) -> None:
        self.world_sink = sink
        rel = "generic/deals.csv"
        ids = prefixed_ids("D", _EXTRA_BASE + np.arange(5)).to_pylist()
        base = {
            "Deal Name": "Extra deal",
            "Account ID": "A0000001",
            "Person ID": "P00000001",
            "Owner ID": "U00011",
            "Pipeline": "New Business",
            "Stage": "Qualification",
            "Amount": "1000.00",
            "Currency": "USD",
            "Probability": "0.1",
            "Deal Type": "New Business",
            "Created At": "2025-06-01T10:00:00+00:00",
            "Expected Close Date": "2025-07-31",
        }
        edits = [{"Stage": "Legal Review"}] * 2 + [
            {"Stage": ""},
            {"Created At": "yesterday"},
            {"Amount": "-10.00"},
        ]
        self._rows(
            rel, generic.DEAL_COLS, [{**base, "Deal ID": ids[i], **e} for i, e in enumerate(edits)], False
        )
        self.extra_records["raw.generic__deals"] += 2
        self.unmapped.append({"source_system": "generic", "label": "Legal Review"})
        self._quarantine(rel, "missing_required:stage", 1)
        self._quarantine(rel, "unparseable_timestamp:created_at", 1)
        self._quarantine(rel, "below_min:amount", 1)

    def _marketing(self, sink) -> None:
        self.world_sink = sink
        rows = [
            {
                "event_id": f"TX{i:010d}",
                "occurred_at": "2024-13-45T25:61:00Z",
                "touch_type": "page_view",
                "channel": "direct",
                "anonymous_id": f"anon-x{i}",
            }
            for i in range(2)
        ]
        self._rows("marketing/touches.csv", marketing.TOUCH_COLS, rows, False)
        self._quarantine("marketing/touches.csv", "unparseable_timestamp:occurred_at", 2)
        spend = [
            {
                "day": "2025-06-01",
                "platform": "google_ads",
                "campaign_id": "99999999",
                "campaign_name": "Refund",
                "utm_campaign": "refund",
                "cost": "-12.50",
                "currency": "USD",
                "impressions": "0",
                "clicks": "0",
            }
        ]
        self._rows("marketing/ad_spend.csv", marketing.SPEND_COLS, spend, False)
        self._quarantine("marketing/ad_spend.csv", "below_min:cost", 1)


def _raw_table(rel: str) -> str:
    folder = rel.split("/")[0]
    name = rel.rsplit("/", 1)[1]
    return {
        "salesforce": {"Opportunity.csv": "raw.salesforce__opportunity"},
        "hubspot": {"deals.csv": "raw.hubspot__deals"},
    }[folder][name]


__all__ = ["Messy", "BOM_FILES", "EXTRA_COLUMNS", "col", "W"]
