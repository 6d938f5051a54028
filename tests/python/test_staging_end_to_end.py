"""End-to-end behaviour of the staging layer and the stage-label mapping on DuckDB.

Each scenario builds its own DuckDB warehouse under a temporary directory: every raw table is
created from the loader's specs, a few hand-made rows are inserted, and `dbt build` runs the
seeds, the staging models, int_stage_labels and their tests in a subprocess.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.loader import spec

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
SELECTION = [
    "path:seeds",
    "path:models/staging",
    "path:models/intermediate/stages",
    # the stage-label map also reads every landed version of current-state files
    "int_deal_state_versions",
    "int_person_state_versions",
]

LEAD_EMAIL = "Jane.Doe@Example.com"
PII_VALUES = [
    LEAD_EMAIL,
    "+44 20 7946 0958",
    "Janet",
    "Doemann",
    "contact.person@example.net",
    "Rep.Owner@example.com",
    "Repfirst",
    "Old.Address@Example.com",
    "hub.person@example.org",
    "hist.person@example.org",
    "hub.owner@example.org",
    "toucher@example.io",
    "referrer@example.io",
    "mailed@example.io",
    "generic.person@example.co",
    "Genfirst",
    "Genlast",
    "Generic Owner",
]


# The company's own staff: their display names stay readable unless FUNNEL_HASH_OWNER_NAMES is set
# (tests/python/test_owner_names.py); their emails, and every customer value, are hashed.
REP_NAME_COLUMNS = {
    ("stg_generic__owners", "owner_name"),
    ("stg_hubspot__owners", "owner_name"),
    ("stg_salesforce__users", "user_name"),
}


def test_reps_names_are_readable_in_staging(built_warehouse: Path) -> None:
    assert _query(built_warehouse, "select owner_name from staging.stg_generic__owners") == [
        ("Generic Owner",)
    ]
    assert _query(built_warehouse, "select user_name from staging.stg_salesforce__users") == [
        ("Repfirst Doemann",)
    ]


def _lineage(source_system: str, source_file: str, row_number: int, exported_at: str, loaded_at: str) -> dict:
    return {
        "_source_system": source_system,
        "_source_file": source_file,
        "_file_hash": f"hash-of-{source_file}",
        "_row_number": row_number,
        "_exported_at": exported_at,
        "_loaded_at": loaded_at,
        "_run_id": "run-1",
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))


def _create_warehouse(path: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        for table, columns in spec.raw_table_schemas().items():
            con.execute(spec.create_table_sql(table, columns))
        for table, table_rows in rows.items():
            _insert(con, table, table_rows)
    finally:
        con.close()


def _dbt_build(tmp: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FUNNEL_PII_SALT"}
    env.update(
        {
            # dbt run by hand gets the salt as `funnel` hands it over (orchestration/pii_salt.py)
            "DBT_ENV_SECRET_FUNNEL_PII_SALT": "staging-test-salt-0001",
            "FUNNEL_WAREHOUSE": str(warehouse),
            "FUNNEL_DBT_TARGET": "duckdb",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    command = [
        str(DBT),
        "build",
        "--profiles-dir",
        str(PROJECT_DIR),
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(tmp / "target"),
        "--log-path",
        str(tmp / "logs"),
        "--select",
        *SELECTION,
    ]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _fx_rate(currency: str, on: date) -> float:
    """The seed's rate_to_usd of the latest rate_date on or before `on`."""
    with open(PROJECT_DIR / "seeds" / "fx_rates.csv", newline="") as fh:
        rates = [
            (date.fromisoformat(r["rate_date"]), float(r["rate_to_usd"]))
            for r in csv.DictReader(fh)
            if r["currency_code"] == currency and date.fromisoformat(r["rate_date"]) <= on
        ]
    return max(rates)[1]


def _fixture_rows() -> dict[str, list[dict[str, Any]]]:
    early = _lineage(
        "salesforce", "salesforce/2024-05-01/Opportunity.csv", 1, "2024-05-01", "2024-06-02 00:00:00"
    )
    late = _lineage(
        "salesforce", "salesforce/2024-05-10/Opportunity.csv", 3, "2024-05-10", "2024-06-01 00:00:00"
    )
    sf = _lineage("salesforce", "salesforce/2024-05-10/other.csv", 1, "2024-05-10", "2024-06-01 00:00:00")
    hs = _lineage("hubspot", "hubspot/2024-05-10/export.csv", 1, "2024-05-10", "2024-06-01 00:00:00")
    mk = _lineage("marketing", "marketing/2024-05-10/touches.csv", 1, "2024-05-10", "2024-06-01 00:00:00")
    gn = _lineage("acme_crm", "acme/2024-05-10/export.csv", 1, "2024-05-10", "2024-06-01 00:00:00")
    return {
        "raw.salesforce__opportunity": [
            # the newer version was exported later but loaded earlier: it must still win
            {
                "id": "0065000000AAAAA",
                "accountid": "000000000000000AAA",
                "stagename": "Qualification",
                "amount": 100.0,
                "probability": 20.0,
                "currencyisocode": "EUR",
                "closedate": "2024-06-15",
                "isclosed": "0",
                "iswon": "0",
                "createddate": "2024-04-01 10:00:00",
                "systemmodstamp": "2024-04-30 10:00:00",
                **early,
            },
            {
                "id": "0065000000AAAAA",
                "accountid": "000000000000000AAA",
                "stagename": "Proposal/Price Quote",
                "amount": 250.0,
                "probability": 60.0,
                "currencyisocode": "EUR",
                "closedate": "2024-06-15",
                "isclosed": "false",
                "iswon": "false",
                "createddate": "2024-04-01 10:00:00",
                "systemmodstamp": "2024-05-09 10:00:00",
                **late,
            },
            {
                "id": "0065000000BBBBB",
                "accountid": "0015000000CCCCC",
                "stagename": "Closed Won",
                "amount": 70.0,
                "probability": 100.0,
                "currencyisocode": "XYZ",
                "closedate": "2024-05-05",
                "isclosed": "1",
                "iswon": "1",
                "createddate": "2024-04-01 10:00:00",
                **sf,
            },
        ],
        "raw.salesforce__lead": [
            {
                "id": "00Q5000000LLLLL",
                "email": LEAD_EMAIL,
                "phone": "+44 20 7946 0958",
                "firstname": "Janet",
                "lastname": "Doemann",
                "status": "Open - Not Contacted",
                "isconverted": "false",
                "createddate": "2024-03-01 08:00:00",
                **sf,
            },
        ],
        "raw.salesforce__lead_history": [
            {
                "id": "0175000000HHHHH",
                "leadid": "00Q5000000LLLLL",
                "field": "Email",
                "oldvalue": "Old.Address@Example.com",
                "newvalue": LEAD_EMAIL,
                "createddate": "2024-03-02 08:00:00",
                **sf,
            },
            {
                "id": "0175000000HHHHI",
                "leadid": "00Q5000000LLLLL",
                "field": "Status",
                "oldvalue": "Open - Not Contacted",
                "newvalue": "Working - Contacted",
                "createddate": "2024-03-03 08:00:00",
                **sf,
            },
        ],
        "raw.salesforce__contact": [
            {
                "id": "0035000000PPPPP",
                "accountid": "000000000000000",
                "email": "contact.person@example.net",
                "firstname": "Janet",
                "lastname": "Doemann",
                "createddate": "2024-03-01 08:00:00",
                **sf,
            },
        ],
        "raw.salesforce__user": [
            {
                "id": "0055000000UUUUU",
                "email": "Rep.Owner@example.com",
                "firstname": "Repfirst",
                "lastname": "Doemann",
                "name": "Repfirst Doemann",
                "isactive": "1",
                **sf,
            },
        ],
        "raw.hubspot__contacts": [
            {
                "hs_object_id": "101",
                "email": "hub.person@example.org",
                "firstname": "Janet",
                "lifecyclestage": "marketingqualifiedlead",
                "createdate": "2024-02-01 00:00:00",
                **hs,
            },
        ],
        "raw.hubspot__contact_lifecycle_dates": [
            {"hs_object_id": "101", "lifecyclestage": "lead", "entered_at": "2024-02-01 00:00:00", **hs},
        ],
        "raw.hubspot__deals": [
            {
                "hs_object_id": "201",
                "pipeline": "default",
                "dealstage": "closedwon",
                "amount": 10.0,
                "deal_currency_code": "USD",
                "hs_deal_stage_probability": 1.0,
                "createdate": "2024-02-01 00:00:00",
                "closedate": "2024-04-01 00:00:00",
                "hs_is_closed": "true",
                "hs_is_closed_won": "true",
                **hs,
            },
        ],
        "raw.hubspot__property_history": [
            {
                "object_type": "CONTACT",
                "object_id": "101",
                "property": "email",
                "value": "hist.person@example.org",
                "timestamp": "2024-02-02 00:00:00",
                **hs,
            },
            {
                "object_type": "deal",
                "object_id": "201",
                "property": "dealstage",
                "value": "appointmentscheduled",
                "timestamp": "2024-02-02 00:00:00",
                **hs,
            },
        ],
        "raw.hubspot__owners": [
            {
                "id": "9001",
                "email": "hub.owner@example.org",
                "firstname": "Repfirst",
                "lastname": "Genlast",
                **hs,
            },
        ],
        "raw.marketing__touches": [
            {
                "event_id": "t1",
                "occurred_at": "2024-01-15 12:00:00",
                "person_email": "toucher@example.io",
                "touch_type": "Webinar Attended",
                "referred_by_email": "referrer@example.io",
                **mk,
            },
        ],
        "raw.marketing__email_events": [
            {
                "event_id": "e1",
                "occurred_at": "2024-01-15 12:00:00",
                "person_email": "mailed@example.io",
                "event_type": "open",
                **mk,
            },
        ],
        "raw.generic__persons": [
            {
                "person_id": "p1",
                "email": "generic.person@example.co",
                "first_name": "Genfirst",
                "last_name": "Genlast",
                "lifecycle_stage": "  Marketing   Qualified Lead ",
                "created_at": "2024-01-01 00:00:00",
                **gn,
            },
        ],
        "raw.generic__deals": [
            {
                "deal_id": "g1",
                "stage": "Proposal",
                "amount": 5.0,
                "probability": 50.0,
                "created_at": "2024-01-01 00:00:00",
                **gn,
            },
        ],
        "raw.generic__owners": [
            {"owner_id": "o1", "name": "Generic Owner", "email": "Rep.Owner@example.com", **gn},
        ],
    }


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("staging_fixture")
    warehouse = tmp / "warehouse.duckdb"
    _create_warehouse(warehouse, _fixture_rows())
    result = _dbt_build(tmp, warehouse)
    assert result.returncode == 0, result.stdout[-6000:]
    return warehouse


def test_empty_warehouse_builds_green(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    _create_warehouse(warehouse, {})
    result = _dbt_build(tmp_path, warehouse)
    assert result.returncode == 0, result.stdout[-6000:]
    assert _query(warehouse, "select count(*) from staging.stg_salesforce__opportunities") == [(0,)]


def test_two_versions_of_an_opportunity_stage_the_later_one(built_warehouse: Path) -> None:
    rows = _query(
        built_warehouse,
        "select stage_label, amount, probability, source_file from staging.stg_salesforce__opportunities "
        "where deal_id = '0065000000AAAAA'",
    )
    assert rows == [("Proposal/Price Quote", 250.0, 0.6, "salesforce/2024-05-10/Opportunity.csv")]


def test_all_zero_ids_become_null(built_warehouse: Path) -> None:
    assert _query(
        built_warehouse,
        "select account_id from staging.stg_salesforce__opportunities where deal_id = '0065000000AAAAA'",
    ) == [(None,)]
    assert _query(built_warehouse, "select account_id from staging.stg_salesforce__contacts") == [(None,)]


def test_amounts_convert_with_the_as_of_rate_and_missing_rates_are_flagged(built_warehouse: Path) -> None:
    rows = dict(
        (r[0], r[1:])
        for r in _query(
            built_warehouse,
            "select deal_id, amount, amount_reporting, is_fx_rate_missing from staging.stg_salesforce__opportunities",
        )
    )
    # reporting amounts are decimals rounded to the cent, per amount
    expected = Decimal(str(250.0 * _fx_rate("EUR", date(2024, 6, 15)))).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert rows["0065000000AAAAA"][1] == expected
    assert rows["0065000000AAAAA"][2] is False
    assert rows["0065000000BBBBB"] == (70.0, None, True)


def test_no_personal_data_in_clear_text_in_any_staging_output(built_warehouse: Path) -> None:
    tables = _query(
        built_warehouse,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = 'staging' or table_name = 'int_stage_labels'",
    )
    assert len(tables) >= 35
    needles = [v.lower() for v in PII_VALUES]
    for schema, table in tables:
        con = duckdb.connect(str(built_warehouse), read_only=True)
        try:
            cursor = con.execute(f'select * from "{schema}"."{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if (table, name) in REP_NAME_COLUMNS:
                        continue  # reps' names are readable by design (FUNNEL_HASH_OWNER_NAMES hashes them)
                    text = str(value).lower() if value is not None else ""
                    leaked = [n for n in needles if n in text]
                    assert not leaked, f"{schema}.{table}.{name} holds personal data in clear: {leaked}"
        finally:
            con.close()


def test_emails_hash_identically_across_sources(built_warehouse: Path) -> None:
    lead = _query(built_warehouse, "select email_hash from staging.stg_salesforce__leads")[0][0]
    history = _query(
        built_warehouse,
        "select new_value from staging.stg_salesforce__lead_history where field_name = 'Email'",
    )[0][0]
    assert len(lead) == 64 and lead == history
    rep = _query(built_warehouse, "select email_hash from staging.stg_salesforce__users")[0][0]
    generic_owner = _query(built_warehouse, "select email_hash from staging.stg_generic__owners")[0][0]
    assert rep == generic_owner


def test_observed_stage_labels_map_to_canonical_stages(built_warehouse: Path) -> None:
    mapped = {
        (r[0], r[1], r[2], r[3]): r[4]
        for r in _query(
            built_warehouse,
            "select source_system, entity_type, pipeline, stage_label, stage from intermediate.int_stage_labels",
        )
    }
    assert mapped[("salesforce", "deal", "default", "Proposal/Price Quote")] == "proposal"
    assert mapped[("salesforce", "deal", "default", "Closed Won")] == "closed_won"
    assert mapped[("salesforce", "person", "lifecycle", "Working - Contacted")] == "sal"
    assert mapped[("hubspot", "person", "lifecycle", "marketingqualifiedlead")] == "mql"
    assert mapped[("hubspot", "person", "lifecycle", "lead")] == "lead"
    assert mapped[("hubspot", "deal", "default", "appointmentscheduled")] == "qualification"
    assert mapped[("acme_crm", "person", "lifecycle", "Marketing   Qualified Lead")] == "mql"
    assert mapped[("acme_crm", "deal", "default", "Proposal")] == "proposal"
    assert "unmapped" not in mapped.values()


def test_an_unmapped_label_stays_and_fails_the_build_naming_it(tmp_path: Path) -> None:
    warehouse = tmp_path / "unmapped.duckdb"
    lineage = _lineage("acme_crm", "acme/deals.csv", 1, "2024-05-10", "2024-06-01 00:00:00")
    _create_warehouse(
        warehouse,
        {
            "raw.generic__deals": [
                {
                    "deal_id": "g9",
                    "stage": "Totally Custom Stage",
                    "created_at": datetime(2024, 1, 1),
                    **lineage,
                },
            ]
        },
    )
    result = _dbt_build(tmp_path, warehouse)
    assert result.returncode != 0
    assert "assert_no_unmapped_stage_labels" in result.stdout
    assert _query(warehouse, "select deal_id from staging.stg_generic__deals") == [("g9",)]
    assert _query(
        warehouse,
        "select source_system, entity_type, pipeline, stage_label from intermediate.int_stage_labels where stage = 'unmapped'",
    ) == [("acme_crm", "deal", "default", "Totally Custom Stage")]
