"""The generator renders one truth consistently: checked independently from the rendered files."""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simulator import generate

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
FORMATS_DIR = REPO / "orchestration" / "loader" / "formats"
LEADS = 3000
SEED = 7


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, leads=LEADS, seed=SEED)
    return out


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    generate(out, leads=LEADS, seed=SEED, messy=True)
    return out


def truth(out: Path) -> dict:
    return json.loads((out / "truth.json").read_text())


def norm(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower())


@pytest.fixture(scope="module")
def label_map() -> dict[tuple[str, str, str], str]:
    with open(SEEDS / "stage_label_map.csv", newline="") as fh:
        return {
            (r["source_system"], r["pipeline"], norm(r["raw_label"])): r["stage"] for r in csv.DictReader(fh)
        }


@pytest.fixture(scope="module")
def stage_defs() -> pd.DataFrame:
    return pd.read_csv(SEEDS / "stage_definitions.csv")


def lookup(label_map, source: str, pipeline: str, label: str) -> str | None:
    for s in (source, "*"):
        for p in (pipeline, "*"):
            hit = label_map.get((s, p, norm(label)))
            if hit:
                return hit
    return None


def read(out: Path, rel: str) -> pd.DataFrame:
    return pd.read_csv(out / rel, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def tree_digest(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files_and_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, leads=800, seed=3, messy=True)
    generate(b, leads=800, seed=3, messy=True)
    generate(c, leads=800, seed=4, messy=True)
    assert tree_digest(a) == tree_digest(b)
    digest_a, digest_c = tree_digest(a), tree_digest(c)
    assert digest_a.keys() == digest_c.keys()
    assert digest_a["truth.json"] != digest_c["truth.json"]
    assert digest_a["generic/deals.csv"] != digest_c["generic/deals.csv"]


def test_layout_and_row_counts_match_truth(clean):
    t = truth(clean)
    assert (clean / "generic" / "mapping.yml").read_text() == (REPO / "mappings" / "generic.yml").read_text()
    for rel, rows in t["files"].items():
        with open(clean / rel, newline="", encoding="utf-8-sig") as fh:
            assert sum(1 for _ in csv.reader(fh)) - 1 == rows, rel
    assert t["counts"]["persons"] == LEADS == len(read(clean, "generic/persons.csv"))
    assert (
        t["counts"]["deals"]
        == len(read(clean, "salesforce/Opportunity.csv"))
        == len(read(clean, "hubspot/deals.csv"))
    )
    assert t["counts"]["touches"] == len(read(clean, "marketing/touches.csv"))


def _canonical_events(out: Path, label_map) -> pd.DataFrame:
    ev = read(out, "generic/stage_events.csv")
    ev["stage"] = [
        lookup(label_map, "generic", p, s) for p, s in zip(ev["Pipeline"], ev["Stage"], strict=True)
    ]
    assert ev["stage"].notna().all()
    ev["at"] = pd.to_datetime(ev["Entered At"], utc=True, format="ISO8601")
    return ev


def test_reached_counts_recomputed_from_stage_events_equal_truth(clean, label_map, stage_defs):
    t = truth(clean)
    ev = _canonical_events(clean, label_map)
    order = dict(zip(stage_defs["stage"], stage_defs["stage_order"], strict=True))
    for entity, exit_stage, section in (
        ("person", "disqualified", "persons"),
        ("deal", "closed_lost", "deals"),
    ):
        e = ev[(ev["Entity Type"] == entity) & (ev["stage"] != exit_stage)].copy()
        e["order"] = e["stage"].map(order)
        furthest = e.groupby("Entity ID")["order"].max()
        expected = t[section]["overall"]["reached"]
        for stage, n in expected.items():
            assert int((furthest >= order[stage]).sum()) == n, (entity, stage)
        values = list(expected.values())
        assert values == sorted(values, reverse=True), "reached counts grow down the funnel"
    entries = ev[ev["Entity Type"] == "person"]["stage"].value_counts()
    assert {k: int(entries.get(k, 0)) for k in t["persons"]["entries"]} == t["persons"]["entries"]


def test_person_cohorts_use_first_entry_month_in_utc(clean, label_map):
    t = truth(clean)
    ev = _canonical_events(clean, label_map)
    persons = ev[ev["Entity Type"] == "person"]
    cohort = persons.groupby("Entity ID")["at"].min().dt.strftime("%Y-%m").value_counts()
    assert {k: v["persons"] for k, v in t["persons"]["by_cohort_month"].items()} == cohort.to_dict()


def _fx():
    rates = pd.read_csv(SEEDS / "fx_rates.csv", dtype=str)
    rates["rate_date"] = pd.to_datetime(rates["rate_date"])
    return rates.sort_values("rate_date")


def test_won_lost_open_and_amounts_recomputed_from_generic_deals(clean, label_map):
    t = truth(clean)["deals"]
    deals = read(clean, "generic/deals.csv")
    stage = [
        lookup(label_map, "generic", p, s) for p, s in zip(deals["Pipeline"], deals["Stage"], strict=True)
    ]
    deals["stage"] = stage
    won, lost = deals["stage"] == "closed_won", deals["stage"] == "closed_lost"
    assert t["overall"]["won_count"] == won.sum()
    assert t["overall"]["lost_count"] == lost.sum()
    assert t["overall"]["open_count"] == (~won & ~lost).sum()
    assert t["overall"]["won_count"] + t["overall"]["lost_count"] + t["overall"]["open_count"] == len(deals)
    assert sum(v["deals"] for v in t["by_deal_type"].values()) == len(deals)
    rates = _fx()

    def usd(row) -> Decimal:
        r = rates[
            (rates["currency_code"] == row["Currency"])
            & (rates["rate_date"] <= pd.Timestamp(row["Expected Close Date"]))
        ].iloc[-1]
        return (Decimal(row["Amount"]) * Decimal(r["rate_to_usd"])).quantize(Decimal("0.01"), ROUND_HALF_UP)

    won_amount = sum((usd(r) for _, r in deals[won].iterrows()), Decimal(0))
    assert float(won_amount) == pytest.approx(t["overall"]["won_amount"], abs=0.005)
    lost_amount = sum((usd(r) for _, r in deals[lost].iterrows()), Decimal(0))
    assert float(lost_amount) == pytest.approx(t["overall"]["lost_amount"], abs=0.005)


def test_salesforce_quotes_every_value_and_uses_all_zero_ids(clean):
    quoted = re.compile(r'^"[^"]*"(,"[^"]*")*$')
    for path in sorted((clean / "salesforce").glob("*.csv")):
        for line in path.read_text().splitlines():
            assert quoted.match(line), (path.name, line[:120])
    leads = read(clean, "salesforce/Lead.csv")
    converted = leads["IsConverted"] == "1"
    assert converted.any() and (~converted).any()
    assert (leads.loc[~converted, "ConvertedContactId"] == "000000000000000AAA").all()
    contacts = set(read(clean, "salesforce/Contact.csv")["Id"])
    assert set(leads.loc[converted, "ConvertedContactId"]) == contacts
    opps = read(clean, "salesforce/Opportunity.csv")
    assert set(leads.loc[converted, "ConvertedOpportunityId"]) <= set(opps["Id"])
    ids = pd.concat([leads["Id"], opps["Id"], leads["OwnerId"]])
    assert (ids.str.len() == 18).all()
    assert leads["Id"].str.startswith("00Q").all() and opps["Id"].str.startswith("006").all()
    assert opps["CreatedDate"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$").all()
    assert opps["Probability"].astype(int).between(0, 100).all()


def _used_labels(out: Path) -> list[tuple[str, str, str, str]]:
    """(source, pipeline, label, entity type) of every stage label any export uses."""
    used = set()
    leads = read(out, "salesforce/Lead.csv")
    used |= {("salesforce", "lifecycle", s, "person") for s in leads["Status"]}
    hist = read(out, "salesforce/LeadHistory.csv")
    status = hist[hist["Field"] == "Status"]
    used |= {
        ("salesforce", "lifecycle", s, "person") for s in pd.concat([status["OldValue"], status["NewValue"]])
    }
    for rel in (
        "salesforce/Opportunity.csv",
        "salesforce/OpportunityHistory.csv",
        "salesforce/OpportunityStage.csv",
    ):
        df = read(out, rel)
        used |= {
            ("salesforce", "*", s, "deal") for s in df["MasterLabel" if "MasterLabel" in df else "StageName"]
        }
    contacts = read(out, "hubspot/contacts.csv")
    used |= {("hubspot", "lifecycle", s, "person") for s in contacts["lifecyclestage"]}
    ph = read(out, "hubspot/property_history.csv")
    used |= {("hubspot", "lifecycle", s, "person") for s in ph.loc[ph["object_type"] == "contact", "value"]}
    stages = read(out, "hubspot/pipeline_stages.csv")
    label_of = {(r.pipeline_id, r.stage_id): r.stage_label for r in stages.itertuples()}
    deals = read(out, "hubspot/deals.csv")
    for pipe, sid in zip(deals["pipeline"], deals["dealstage"], strict=True):
        used.add(("hubspot", pipe, sid if pipe == "default" else label_of[(pipe, sid)], "deal"))
    for (pipe, sid), label in label_of.items():
        used.add(("hubspot", pipe, sid if pipe == "default" else label, "deal"))
    ev = read(out, "generic/stage_events.csv")
    used |= {
        ("generic", p, s, e) for p, s, e in zip(ev["Pipeline"], ev["Stage"], ev["Entity Type"], strict=True)
    }
    gd = read(out, "generic/deals.csv")
    used |= {("generic", p, s, "deal") for p, s in zip(gd["Pipeline"], gd["Stage"], strict=True)}
    gp = read(out, "generic/persons.csv")
    used |= {("generic", "lifecycle", s, "person") for s in gp["Lifecycle Stage"]}
    return sorted(used)


def test_every_stage_label_in_every_format_maps_through_the_seed(clean, label_map, stage_defs):
    entity_of = dict(zip(stage_defs["stage"], stage_defs["entity_type"], strict=True))
    used = _used_labels(clean)
    assert len(used) > 40
    for source, pipeline, label, entity in used:
        stage = lookup(label_map, source, pipeline, label)
        assert stage is not None, (source, pipeline, label)
        assert entity_of[stage] == entity, (source, pipeline, label, stage)


def test_headers_are_the_loader_spec_headers(clean):
    specs: list[tuple[str, list[str], set[str]]] = []
    for name in ("salesforce", "hubspot", "marketing"):
        for f in yaml.safe_load((FORMATS_DIR / f"{name}.yml").read_text())["files"]:
            specs.append((name, f["match"], {c.lower() for c in f["columns"]}))
    for f in yaml.safe_load((REPO / "mappings" / "generic.yml").read_text())["files"]:
        specs.append(("generic", [f["match"]], {c.lower() for c in f["columns"]}))
    for path in sorted(clean.rglob("*.csv")):
        folder = path.parent.name
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = {h.lower() for h in next(csv.reader(fh))}
        found = [
            cols
            for src, globs, cols in specs
            if src == folder and any(fnmatch.fnmatch(path.name.lower(), g.lower()) for g in globs)
        ]
        assert found, path.name
        expected = found[0]
        extra = header - expected
        allowed = [r"__c$", r"^hs_lifecyclestage_.+_date$", r"^hs_date_(entered|exited)_.+$"]
        assert all(any(re.search(p, h) for p in allowed) for h in extra), (path.name, extra)
        assert expected - header == set(), (path.name, expected - header)


def test_hubspot_stage_dates_are_first_entries_from_property_history(clean):
    ph = read(clean, "hubspot/property_history.csv")
    ph = ph[(ph["object_type"] == "contact") & (ph["value"] == "lead")]
    first = ph.groupby("object_id")["timestamp"].min()
    contacts = read(clean, "hubspot/contacts.csv").set_index("hs_object_id")
    dates = contacts["hs_lifecyclestage_lead_date"]
    assert (dates[dates != ""].sort_index() == first.sort_index()).all()
    assert set(dates[dates != ""].index) == set(first.index)


def test_truth_examples_exist_with_the_promised_shape(clean, label_map):
    t = truth(clean)
    ex = t["transitions"]["examples"]
    assert {"person_skip", "person_recycle", "deal_regression", "deal_reopen"} <= ex.keys()
    ev = _canonical_events(clean, label_map)
    recycle = ev[ev["Entity ID"] == ex["person_recycle"]["generic"]].sort_values("at")["stage"].tolist()
    assert any(a in ("mql", "sal", "sql") and b == "lead" for a, b in zip(recycle, recycle[1:], strict=False))
    reopen = ev[ev["Entity ID"] == ex["deal_reopen"]["generic"]].sort_values("at")["stage"].tolist()
    assert any(a == "closed_lost" and b != "closed_lost" for a, b in zip(reopen, reopen[1:], strict=False))
    leads = read(clean, "salesforce/Lead.csv")
    assert ex["person_skip"]["salesforce"] in set(leads["Id"])
    assert t["transitions"]["persons"]["skip"] > 0 and t["transitions"]["deals"]["backward"] > 0
    assert t["persons"]["score_ge_75_never_mql"] > 0


def test_messy_keeps_the_clean_truth_and_records_its_dirt(clean, messy):
    tc, tm = truth(clean), truth(messy)
    for key in ("persons", "deals", "transitions", "counts"):
        assert tc[key] == tm[key], key
    assert tc["messy"] is None
    m = tm["messy"]
    opp = read(messy, "salesforce/Opportunity.csv")
    q = {(e["file"], e["reason_code"]): e["rows"] for e in m["expected_quarantine"]}
    assert q[("salesforce/Opportunity.csv", "below_min:amount")] == opp["Amount"].str.startswith("-").sum()
    assert (
        q[("salesforce/Opportunity.csv", "unparseable_date:closedate")]
        == (~opp["CloseDate"].str.match(r"^\d{4}-\d\d-\d\d$")).sum()
    )
    unknown = opp["StageName"] == "Legal Review"
    assert (
        unknown.sum() > 0 and {"source_system": "salesforce", "label": "Legal Review"} in m["unmapped_labels"]
    )
    assert len(opp) == tc["files"]["salesforce/Opportunity.csv"] + m["extra_records"][
        "raw.salesforce__opportunity"
    ] + sum(r for (f, _), r in q.items() if f == "salesforce/Opportunity.csv")
    old_rel = "salesforce/2025-06-29/Opportunity.csv"
    old = read(messy, old_rel)
    assert len(old) == m["duplicate_versions"][old_rel] > 0
    current = opp.set_index("Id")
    assert set(old["Id"]) <= set(current.index)
    assert (old.set_index("Id")["SystemModstamp"] < current.loc[old["Id"], "SystemModstamp"]).all()
    for rel in m["bom_files"]:
        assert (messy / rel).read_bytes().startswith(b"\xef\xbb\xbf")
    variants = read(messy, "generic/deals.csv")["Stage"]
    assert (variants != variants.str.strip()).sum() == next(
        v["rows"] for v in m["label_variants"] if v["file"] == "generic/deals.csv"
    )
