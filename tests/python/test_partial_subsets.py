"""Every model builds, and every mart is empty-but-valid, on whatever subset of exports a user has.

One small generated export (Salesforce + marketing) is cut into subsets by copying only some of its
files: persons only, deals only, no stage history, no marketing exports, no owners. Plus a
lead-scoring export through a mapping file (tests/fixtures/leads_only: five leads, a 0/1
`Converted` column read as the lifecycle stage, no deals, no owners, no history), which used to
fail: the pipeline as-of came from deals, so it was null without them.

Each subset is a full `dbt build` into its own warehouse; the builds run as parallel processes
(FUNNEL_TEST_SUBSET_BUILDS at once, default 3, one dbt thread each) so the module costs about two
builds' time, not six.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import settings_in

from orchestration.pipeline import load_exports
from orchestration.settings import PROJECT_DIR, Settings
from orchestration.warehouse.checksum import relations

pytestmark = pytest.mark.slow

LEADS_ONLY_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "leads_only"
PINNED_AS_OF = "2025-07-01 00:00:00"
SALESFORCE_FILES = (
    "Account.csv",
    "Campaign.csv",
    "CampaignMember.csv",
    "Contact.csv",
    "Lead.csv",
    "LeadHistory.csv",
    "Opportunity.csv",
    "OpportunityHistory.csv",
    "OpportunityLineItem.csv",
    "OpportunityStage.csv",
    "Product2.csv",
    "User.csv",
    "UserRole.csv",
)
MARKETING_FILES = ("ad_spend.csv", "email_events.csv", "touches.csv")
SUBSETS: dict[str, tuple[str, ...]] = {
    "persons_only": ("salesforce/Lead.csv",),
    "deals_only": ("salesforce/Opportunity.csv",),
    "no_stage_history": tuple(
        f"salesforce/{name}"
        for name in SALESFORCE_FILES
        if name not in ("LeadHistory.csv", "OpportunityHistory.csv")
    )
    + tuple(f"marketing/{name}" for name in MARKETING_FILES),
    "no_marketing": tuple(f"salesforce/{name}" for name in SALESFORCE_FILES),
    "no_owners": tuple(
        f"salesforce/{name}" for name in SALESFORCE_FILES if name not in ("User.csv", "UserRole.csv")
    )
    + tuple(f"marketing/{name}" for name in MARKETING_FILES),
}
MART_MODELS = sorted(path.stem for path in (PROJECT_DIR / "models" / "marts").rglob("*.sql"))
DEAL_MARTS = ("dim_deals", "fct_stale_deals", "fct_pipeline_daily", "fct_stage_board", "fct_deal_transitions")
PERSON_MARTS = ("dim_persons", "fct_person_transitions", "fct_mql_sla")


def _build(settings: Settings) -> list[str]:
    """`funnel build` in its own process (own dbt target folder, one thread): the failed nodes."""
    target = settings.warehouse.parent / "target"
    env = settings.dbt_env()
    env.update(
        {
            "PYTHONPATH": str(PROJECT_DIR),
            "FUNNEL_PII_SALT": "test-salt-0123456789",
            "FUNNEL_DBT_THREADS": "1",
            "DBT_TARGET_PATH": str(target),
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "--quiet", "build"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    results = target / "run_results.json"
    if not results.exists():
        return [result.stderr[-2000:]]
    nodes = json.loads(results.read_text())["results"]
    return [
        f"{node['unique_id']}: {node['status']} {(node.get('message') or '')[:200]}"
        for node in nodes
        if node["status"] in ("error", "fail")
    ]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from simulator import generate

    out = tmp_path_factory.mktemp("subset_source")
    generate(out_dir=out, leads=250, seed=11, formats=("salesforce", "marketing"), as_of=date(2025, 6, 30))
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, generated: Path) -> dict[str, Settings]:
    """Every subset loaded and built once; {subset name: its settings}."""
    root = tmp_path_factory.mktemp("subsets")
    settings: dict[str, Settings] = {}
    for name, files in SUBSETS.items():
        landing = root / name / "landing"
        for relative in files:
            (landing / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(generated / relative, landing / relative)
        settings[name] = settings_in(root / name, FUNNEL_AS_OF=PINNED_AS_OF)
        report = load_exports(settings[name], landing, [])
        assert not report.failed, [r.message for r in report.failed]
    # the lead-scoring export is left unpinned: its as-of must come from the persons' own dates
    landing = root / "leads_only" / "landing" / "lead_scoring"
    shutil.copytree(LEADS_ONLY_FIXTURE, landing)
    settings["leads_only"] = settings_in(root / "leads_only")
    report = load_exports(settings["leads_only"], landing.parent, [])
    assert not report.failed, [r.message for r in report.failed]
    assert [(f.rows_read, f.rows_loaded) for f in report.files if f.source_file.endswith("leads.csv")] == [
        (5, 5)
    ]

    workers = int(os.environ.get("FUNNEL_TEST_SUBSET_BUILDS", "3"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(settings, pool.map(_build, settings.values()), strict=True))
    failed = {name: nodes for name, nodes in results.items() if nodes}
    assert not failed, failed
    return settings


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _count(settings: Settings, table: str) -> int:
    return _rows(settings, f"select count(*) from {table}")[0][0]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("subset", [*SUBSETS, "leads_only"])
def test_every_mart_exists_and_the_as_of_is_set(built, subset):
    with duckdb.connect(str(built[subset].warehouse), read_only=True) as con:
        marts = [name for _, name in relations(con, ("marts",))]
    assert marts == MART_MODELS
    assert _rows(
        built[subset], "select count(*) from intermediate.int_as_of where as_of_date is not null"
    ) == [(1,)]


@pytest.mark.parametrize("subset", ["persons_only", "leads_only"])
def test_without_deals_the_deal_marts_are_empty(built, subset):
    assert {table: _count(built[subset], f"marts.{table}") for table in DEAL_MARTS} == dict.fromkeys(
        DEAL_MARTS, 0
    )


def test_deals_only_has_every_deal_and_no_person(built, generated):
    opportunities = _csv_rows(generated / "salesforce" / "Opportunity.csv")
    settings = built["deals_only"]
    assert _count(settings, "marts.dim_deals") == len(opportunities)
    open_deals = sum(1 for row in opportunities if row["IsClosed"] == "0")
    assert _rows(settings, "select count(*) from intermediate.int_deals_enriched where is_open") == [
        (open_deals,)
    ]
    assert {table: _count(settings, f"marts.{table}") for table in PERSON_MARTS} == dict.fromkeys(
        PERSON_MARTS, 0
    )


# Salesforce lead statuses -> stages (seeds/stage_label_map.csv), and the ordered person stages
LEAD_STATUS_STAGES = {
    "Subscriber": "subscriber",
    "Open - Not Contacted": "lead",
    "Recycled": "lead",
    "Marketing Qualified": "mql",
    "Working - Contacted": "sal",
    "Sales Qualified": "sql",
    "Closed - Converted": "opportunity",
    "Closed - Not Converted": "disqualified",
}
ORDERED_PERSON_STAGES = ("subscriber", "lead", "mql", "sal", "sql", "opportunity")


def test_persons_only_counts_every_lead_at_its_status(built, generated):
    """Lead.csv alone (no history): every lead is a person at its Status's stage, and the funnel
    reach is cumulative over the ordered stages (a disqualified lead reached nothing it can prove)."""
    leads = _csv_rows(generated / "salesforce" / "Lead.csv")
    stages = Counter(LEAD_STATUS_STAGES[row["Status"]] for row in leads)
    settings = built["persons_only"]
    assert dict(_rows(settings, "select current_stage, count(*) from marts.dim_persons group by 1")) == dict(
        stages
    )
    reached = {
        stage: sum(stages[later] for later in ORDERED_PERSON_STAGES[position:])
        for position, stage in enumerate(ORDERED_PERSON_STAGES)
    }
    assert (
        dict(
            _rows(
                settings,
                "select stage, count(distinct entity_key) from marts.fct_funnel_stage_reach "
                "where entity_type = 'person' group by stage",
            )
        )
        == reached
    )


def test_leads_only_counts_and_as_of_come_from_the_leads(built):
    """tests/fixtures/leads_only: 5 leads, Converted 1 for 660727 and 660681 (customers), 0 for the
    other three (leads); the latest lead was created 2025-04-01, the as-of day without FUNNEL_AS_OF."""
    settings = built["leads_only"]
    reach = _rows(
        settings,
        "select stage, count(*) from marts.fct_funnel_stage_reach where entity_type = 'person' "
        "group by stage order by min(stage_order)",
    )
    # a customer passed through lead (reach is cumulative): 5 reached lead, 2 of them customer
    assert reach == [("lead", 5), ("customer", 2)]
    assert _rows(
        settings, "select cast(as_of_date as varchar), cast(as_of_at as varchar) from intermediate.int_as_of"
    ) == [("2025-04-01", "2025-04-02 00:00:00")]
    assert _count(settings, "marts.dim_owners") == 0


def test_no_owners_keeps_every_deal_with_an_unknown_owner(built, generated):
    opportunities = _csv_rows(generated / "salesforce" / "Opportunity.csv")
    settings = built["no_owners"]
    assert _count(settings, "marts.dim_owners") == 0
    assert _count(settings, "marts.dim_deals") == len(opportunities)


def test_no_marketing_has_no_touches_but_every_lead(built, generated):
    settings = built["no_marketing"]
    assert _count(settings, "marts.fct_marketing_touches") == 0
    leads = _csv_rows(generated / "salesforce" / "Lead.csv")
    assert _rows(settings, "select count(*) from marts.dim_persons where source_system = 'salesforce'")[0][
        0
    ] >= len([row for row in leads if row["IsConverted"] in ("0", "false")])


def test_no_stage_history_keeps_every_deal_and_lead(built, generated):
    settings = built["no_stage_history"]
    opportunities = _csv_rows(generated / "salesforce" / "Opportunity.csv")
    assert _count(settings, "marts.dim_deals") == len(opportunities)
    assert (
        _rows(
            settings,
            "select count(*) from marts.fct_funnel_stage_reach where entity_type = 'deal' and stage_order = "
            "(select min(stage_order) from marts.fct_funnel_stage_reach where entity_type = 'deal')",
        )[0][0]
        > 0
    )
