"""mappings/pipedrive.yml loads a Pipedrive deals export with hand-checked values."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration.loader import load_folder

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "mappings" / "pipedrive"
MAPPING = ROOT / "mappings" / "pipedrive.yml"


def _load(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, FIXTURE, mappings=[MAPPING])
    statuses = {f.source_file: (f.status, f.rows_read, f.rows_loaded) for f in report.files}
    assert statuses["deals-2024-03-01.csv"] == ("loaded", 3, 3)
    return con


def test_pipedrive_deals_land_in_generic_deals(tmp_path: Path) -> None:
    con = _load(tmp_path)
    rows = con.execute(
        "select deal_id, deal_name, amount, currency, stage, pipeline, owner_id, account_id, probability, "
        "cast(created_at as varchar), cast(closed_at as varchar), cast(expected_close_date as varchar), "
        "_source_system, cast(_exported_at as varchar) from raw.generic__deals order by deal_id"
    ).fetchall()
    assert rows == [
        (
            "1",
            "Acme website",
            12500.5,
            "USD",
            "Proposal Made",
            "Sales",
            "Ada Lovelace",
            "Acme Corp",
            60.0,
            "2024-01-10 09:15:00",
            None,
            "2024-03-31",
            "pipedrive",
            "2024-03-01 00:00:00",
        ),
        (
            "2",
            "Globex CRM",
            8000.0,
            "EUR",
            "Negotiations Started",
            "Sales",
            "Grace Hopper",
            "Globex",
            None,
            "2023-12-01 14:00:00",
            "2024-02-20 16:30:00",
            "2024-02-28",
            "pipedrive",
            "2024-03-01 00:00:00",
        ),
        # Lost time fills closed_at when won time is empty; "HH:MM" without seconds parses too.
        (
            "3",
            "Initech pilot",
            0.0,
            "USD",
            "Qualified",
            "Sales",
            "Ada Lovelace",
            "Initech",
            None,
            "2024-01-20 08:00:00",
            "2024-02-05 11:00:00",
            None,
            "pipedrive",
            "2024-03-01 00:00:00",
        ),
    ]


def test_pipedrive_status_lands_and_unknown_columns_go_to_extra(tmp_path: Path) -> None:
    con = _load(tmp_path)
    status, extra = con.execute(
        "select status, _extra from raw.generic__deals where deal_id = '3'"
    ).fetchone()
    assert status == "lost"
    assert json.loads(extra) == {"Deal - Contact person": None, "Deal - Lost reason": "No budget"}


def test_the_contact_name_stays_in_extra_and_never_becomes_an_id(tmp_path: Path) -> None:
    """The "Deal - Contact person" column is a customer's name: ids reach the marts as written, so it must not
    feed person_id (staging does not read _extra)."""
    con = _load(tmp_path)
    rows = con.execute(
        "select deal_id, person_id, _extra from raw.generic__deals order by deal_id"
    ).fetchall()
    assert [(deal, person) for deal, person, _ in rows] == [("1", None), ("2", None), ("3", None)]
    assert [json.loads(extra)["Deal - Contact person"] for *_, extra in rows] == [
        "John Smith",
        "Jane Roe",
        None,
    ]


def test_pipedrive_stage_labels_land_once(tmp_path: Path) -> None:
    con = _load(tmp_path)
    load_folder(con, FIXTURE, mappings=[MAPPING])  # a second run adds nothing
    labels = con.execute(
        "select _source_system, pipeline, raw_label, stage from raw.generic__stage_labels "
        "order by _row_number"
    ).fetchall()
    assert len(labels) == 7
    assert labels[0] == ("pipedrive", "*", "Lead In", "qualification")
    assert ("pipedrive", "*", "Negotiations Started", "negotiation") in labels
