"""HubSpot column families unpivot; BOM, CRLF and other encodings read like plain UTF-8."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.loader import ensure_raw_tables, load_folder

HUBSPOT = Path(__file__).parents[1] / "fixtures" / "loader" / "hubspot"
TOUCHES = [
    "event_id,occurred_at,person_email,touch_type,channel,utm_campaign",
    "e1,2024-03-01T08:00:00Z,zoë@example.com,page_view,organic,spring",
    'e2,2024-03-02 09:30:00,"o\'brien@example.com",demo_request,paid,"spring, 2024"',
]


def test_hubspot_stage_entered_columns_unpivot_with_numeric_stage_ids(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, HUBSPOT)
    entered = con.execute(
        "select hs_object_id, dealstage, cast(entered_at as varchar), _row_number "
        "from raw.hubspot__deal_stage_entered order by hs_object_id, entered_at"
    ).fetchall()
    assert entered == [
        ("101", "appointmentscheduled", "2024-01-05 10:00:00", 1),
        ("101", "12345678", "2024-01-10 09:00:00", 1),
        ("102", "appointmentscheduled", "2024-02-01 08:00:00", 2),
    ]
    exited = con.execute("select hs_object_id, dealstage from raw.hubspot__deal_stage_exited").fetchall()
    assert exited == [("101", "appointmentscheduled")]
    lifecycle = con.execute(
        "select hs_object_id, lifecyclestage, cast(entered_at as varchar) "
        "from raw.hubspot__contact_lifecycle_dates order by hs_object_id, entered_at"
    ).fetchall()
    assert lifecycle == [
        ("201", "lead", "2024-01-01 00:00:00"),
        ("201", "marketingqualifiedlead", "2024-01-15 12:00:00"),
        ("202", "lead", "2024-01-02 00:00:00"),
    ]
    # Unpivoted families are not "unknown" columns: only the custom one lands in _extra.
    extra = con.execute("select _extra from raw.hubspot__deals where hs_object_id = '101'").fetchone()
    assert extra == ('{"hs_custom_flag":"yes"}',)


def _touches_loaded(tmp_path: Path, data: bytes) -> list[tuple]:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "touches.csv").write_bytes(data)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    assert [(f.status, f.rows_read, f.rows_loaded) for f in report.files] == [("loaded", 2, 2)]
    return con.execute(
        "select event_id, cast(occurred_at as varchar), person_email, utm_campaign "
        "from raw.marketing__touches order by event_id"
    ).fetchall()


EXPECTED = [
    ("e1", "2024-03-01 08:00:00", "zoë@example.com", "spring"),
    ("e2", "2024-03-02 09:30:00", "o'brien@example.com", "spring, 2024"),
]


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + "\r\n".join(TOUCHES).encode("utf-8") + b"\r\n"
    assert _touches_loaded(tmp_path, data) == EXPECTED


def test_plain_utf8_without_final_newline(tmp_path: Path) -> None:
    assert _touches_loaded(tmp_path, "\n".join(TOUCHES).encode("utf-8")) == EXPECTED


def test_ensure_raw_tables_is_idempotent_and_adds_new_columns(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_raw_tables(con)
    con.execute("alter table raw.salesforce__opportunity drop column forecastcategoryname")
    ensure_raw_tables(con)
    ensure_raw_tables(con)
    columns = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'salesforce__opportunity'"
    ).fetchall()
    assert ("forecastcategoryname",) in columns
    tables = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema = 'loader' order by 1"
    ).fetchall()
    assert tables == [("loader.files",), ("loader.ledger",), ("loader.quarantine",)]
