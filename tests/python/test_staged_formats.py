"""The same generated truth, exported three ways, stages to the same counts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings

# staged model per format for each entity, and the truth.json count it must equal
ENTITIES = {
    "persons": ("stg_salesforce__leads", "stg_hubspot__contacts", "stg_generic__persons"),
    "deals": ("stg_salesforce__opportunities", "stg_hubspot__deals", "stg_generic__deals"),
    "accounts": ("stg_salesforce__accounts", "stg_hubspot__companies", "stg_generic__accounts"),
    "owners": ("stg_salesforce__users", "stg_hubspot__owners", "stg_generic__owners"),
}


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_every_format_stages_the_truths_count(entity: str, built_demo: Settings, demo_exports: Path) -> None:
    truth = json.loads((demo_exports / "truth.json").read_text())
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        counts = {m: con.execute(f"select count(*) from staging.{m}").fetchone()[0] for m in ENTITIES[entity]}
    assert counts == {m: truth["counts"][entity] for m in ENTITIES[entity]}


def test_marketing_exports_stage_every_touch_and_spend_row(built_demo: Settings, demo_exports: Path) -> None:
    truth = json.loads((demo_exports / "truth.json").read_text())["counts"]
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        touches = con.execute("select count(*) from staging.stg_marketing__touches").fetchone()[0]
        spend = con.execute("select count(*) from staging.stg_marketing__ad_spend").fetchone()[0]
        emails = con.execute("select count(*) from staging.stg_marketing__email_events").fetchone()[0]
    assert (touches, spend, emails) == (truth["touches"], truth["spend_rows"], truth["email_events"])


def test_won_amounts_in_reporting_currency_agree_across_formats(
    built_demo: Settings, demo_exports: Path
) -> None:
    """Each format writes amounts and currencies its own way; staged won amounts in USD must be equal
    to the cent, and equal to the generator's own sum."""
    truth = json.loads((demo_exports / "truth.json").read_text())["deals"]["overall"]
    queries = {
        "salesforce": "select sum(amount_reporting) from staging.stg_salesforce__opportunities where is_won",
        "hubspot": "select sum(amount_reporting) from staging.stg_hubspot__deals where is_won",
    }
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        sums = {k: round(float(con.execute(q).fetchone()[0]), 2) for k, q in queries.items()}
    expected = round(truth["won_amount"], 2)
    assert sums == {"salesforce": expected, "hubspot": expected}
