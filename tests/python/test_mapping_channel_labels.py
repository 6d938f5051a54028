"""Mapping files' channel_labels and one header feeding several fields, on the Olist marketing
funnel exports (mappings/olist.yml): an MQL list whose `origin` holds the lead source, and a
won-deals list with one date column (`won_date`) and no lead source of its own.

Figures computed by hand from tests/fixtures/mappings/olist (Olist writes local times; Sao Paulo
kept daylight saving time (UTC-2) until 2018-02-18, UTC-3 after):

| MQL  | first contact (local) | origin         | channel          |
| m1   | 2018-02-01            | social         | paid_social      |
| m2   | 2018-02-03            | paid_search    | paid_search      |
| m3   | 2018-02-05            | organic_search | organic_search   |
| m4   | 2018-02-10            | direct_traffic | direct           |
| m5   | 2018-02-12            | partner_blog   | unmapped         |
| m6   | 2018-02-14            | (empty)        | unknown          |
| m7   | 2018-02-20            | Social         | paid_social      |
| m8   | 2018-03-01            | display        | paid_social      |

Won deals (no lead source, no touches): each takes its person's channel. s1 (m1) paid_social,
s2 (m4) direct, s3 (m5) unmapped, s4 (m7) paid_social.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import load_and_build, settings_in, shared_folder

from orchestration.loader import load_folder

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "mappings" / "olist"
MAPPING = ROOT / "mappings" / "olist.yml"
MQLS = "olist_marketing_qualified_leads_dataset.csv"
DEALS = "olist_closed_deals_dataset.csv"
M = {
    "m1": "dac32acd4db4c29c230538b72f8dd87d",
    "m4": "6ff8a9c0e4be0ba81e4ff51c4b1ab4a1",
    "m5": "3b2fb4a4f25a0a8e4bd5e1cbd0b6d5c2",
    "m6": "a2a8b0f3ce3fbd4a1ab2e93d46e6cb44",
    "m7": "0f5d7c3e1b2a4d6e8f9a0b1c2d3e4f50",
}
S = {
    "s1": "2c43fb513632d29b3b58df74816f1b06",
    "s2": "612170e34b97004b3ba37eae81836b4c",
    "s3": "21e1781e36faf92725dde4730a88ca0f",
    "s4": "ed8cb7b190ceb6067227478e48cf8dde",
}


def _landing(folder: Path, mapping_text: str | None = None) -> Path:
    landing = folder / "landing" / "olist"
    landing.mkdir(parents=True)
    for name in (MQLS, DEALS):
        shutil.copy(FIXTURE / name, landing / name)
    (landing / "mapping.yml").write_text(
        mapping_text or MAPPING.read_text(encoding="utf-8"), encoding="utf-8"
    )
    return landing.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(folder: Path) -> None:
        settings = settings_in(folder, FUNNEL_AS_OF="2018-04-01 00:00:00")
        load_and_build(settings, _landing(folder))

    return shared_folder(tmp_path_factory, "olist_channel_labels", build) / "funnel.duckdb"


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_one_header_feeds_created_and_closed(built: Path) -> None:
    rows = _rows(
        built,
        "select deal_id, person_id, cast(created_at as varchar), cast(closed_at as varchar) "
        "from raw.generic__deals order by created_at",
    )
    # won_date is Sao Paulo time, UTC-3 after 2018-02-18: 19:58:54 -> 22:58:54 UTC
    assert rows[0] == (S["s1"], M["m1"], "2018-02-26 22:58:54", "2018-02-26 22:58:54")
    assert [r[2] == r[3] for r in rows] == [True] * 4


def test_first_contact_dates_are_local_midnights(built: Path) -> None:
    rows = dict(_rows(built, "select person_id, cast(created_at as varchar) from raw.generic__persons"))
    assert rows[M["m1"]] == "2018-02-01 02:00:00"  # daylight saving time, UTC-2
    assert rows[M["m7"]] == "2018-02-20 03:00:00"  # standard time, UTC-3


def test_persons_channels_come_from_the_mappings_labels(built: Path) -> None:
    rows = _rows(
        built, "select channel, count(*) from intermediate.int_persons group by channel order by channel"
    )
    assert rows == [
        ("direct", 1),
        ("organic_search", 1),
        ("paid_search", 1),
        ("paid_social", 3),
        ("unknown", 1),
        ("unmapped", 1),
    ]


def test_deals_inherit_their_persons_channel(built: Path) -> None:
    rows = dict(_rows(built, "select deal_id, channel || '/' || channel_origin from intermediate.int_deals"))
    assert rows == {
        S["s1"]: "paid_social/person_lead_source",
        S["s2"]: "direct/person_lead_source",
        S["s3"]: "unmapped/none",
        S["s4"]: "paid_social/person_lead_source",
    }
    published = dict(_rows(built, "select deal_id, channel from marts.dim_deals"))
    assert published[S["s1"]] == "paid_social"


def test_every_channel_of_the_mapping_is_a_dimension_row(built: Path) -> None:
    channels = {r[0] for r in _rows(built, "select channel from marts.dim_channels")}
    assert {"paid_social", "direct", "other", "unknown", "unmapped"} <= channels


def test_the_unmapped_label_is_named_by_the_data_test(built: Path) -> None:
    rows = _rows(
        built,
        "select source_system, entity_type, raw_label, rows_with_label "
        "from dbt_test__audit.assert_no_unmapped_channel_labels",
    )
    assert rows == [("olist", "person", "partner_blog", 1)]


def test_mapping_ledger_rows_count_both_label_kinds(built: Path) -> None:
    rows = _rows(
        built,
        "select target_table, rows_read, status from loader.ledger "
        "where source_file like '%mapping.yml' order by target_table",
    )
    assert rows == [("raw.generic__channel_labels", 10, "loaded"), ("raw.generic__stage_labels", 2, "loaded")]


def _load_with(tmp_path: Path, old: str, new: str) -> dict:
    text = MAPPING.read_text(encoding="utf-8")
    assert old in text
    landing = _landing(tmp_path, text.replace(old, new))
    report = load_folder(tmp_path / "wh.duckdb", landing)
    return report.by_file()


def test_a_misspelt_optional_header_is_a_ledger_warning(tmp_path: Path) -> None:
    results = _load_with(tmp_path, "business_segment: product", "business_segmnt: product")
    deals = results[f"olist/{DEALS}"]
    assert (deals.status, deals.rows_loaded) == ("loaded", 4)
    assert deals.message == (
        "warning: mapped column(s) not in the file, so their fields load as null: 'business_segmnt' (field product)"
    )
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        ledger = con.execute(
            f"select message from loader.ledger where source_file = 'olist/{DEALS}'"
        ).fetchone()
    assert ledger == (deals.message,)


def test_a_misspelt_required_header_fails_the_file_naming_it(tmp_path: Path) -> None:
    results = _load_with(tmp_path, "won_date: [created_at", "won_dat: [created_at")
    deals = results[f"olist/{DEALS}"]
    assert deals.status == "failed"
    assert deals.message.startswith(f"olist/{DEALS}: line 1: missing required column(s) won_dat;")
