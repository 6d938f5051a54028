"""Odd and hostile files: each is read correctly or fails alone, never stopping the folder.

Real-format Salesforce Lead.csv exports written into tmp_path: CR-only line endings (old Mac
Excel), a header cell longer than Python's csv field limit (131,072), a header longer than the
loader's 256 KiB sniff window, UTF-16/UTF-32 with a BOM, and a file whose handling raises
something nobody foresaw.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import duckdb
import pytest

from orchestration.loader import load, load_folder, source
from orchestration.loader.source import SNIFF_BYTES

LEAD_HEADER = [
    "Id",
    "FirstName",
    "LastName",
    "Email",
    "Company",
    "Status",
    "LeadSource",
    "IsConverted",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
]
LEADS = [
    ["00Q5g00000Lead01AAA", "Zoë", "Müller", "zoe@example.com", "Acme, Inc.", "Open", "Web", "0", "0",
     "2024-01-15T09:30:00.000+0000", "2024-01-16T10:00:00.000+0000"],
    ["00Q5g00000Lead02AAA", "Wei", "王", "wei@example.cn", "Lotus", "Working", "Partner", "0", "0",
     "2024-01-17T11:00:00.000+0000", "2024-01-18T12:00:00.000+0000"],
    ["00Q5g00000Lead03AAA", "Ann", "O'Neil", "ann@example.com", "Multi\nline Co", "Qualified", "", "1",
     "0", "2024-01-19T08:00:00.000+0000", "2024-01-20T08:00:00.000+0000"],
]  # fmt: skip
TOUCHES = "event_id,occurred_at,touch_type\ne1,2024-02-01T10:00:00Z,page_view\n"
OPPORTUNITY = (
    "Id,AccountId,Name,StageName,Amount,CloseDate,CreatedDate\n"
    "0065g00000Corp01AAA,0015g00000XyZ01AAA,Acme deal,Prospecting,100,2024-03-31,2024-01-15 09:30:00\n"
)
LEAD_SQL = (
    "select id, firstname, lastname, email, company, status, leadsource, cast(createddate as varchar) "
    "from raw.salesforce__lead where _source_file = ? order by id"
)
EXPECTED_LEADS = [
    ("00Q5g00000Lead01AAA", "Zoë", "Müller", "zoe@example.com", "Acme, Inc.", "Open", "Web", "2024-01-15 09:30:00"),
    ("00Q5g00000Lead02AAA", "Wei", "王", "wei@example.cn", "Lotus", "Working", "Partner", "2024-01-17 11:00:00"),
    ("00Q5g00000Lead03AAA", "Ann", "O'Neil", "ann@example.com", "Multi\nline Co", "Qualified", None,
     "2024-01-19 08:00:00"),
]  # fmt: skip


def lead_csv(header: list[str] = LEAD_HEADER, rows: list[list[str]] = LEADS, newline: str = "\r\n") -> str:
    """A Salesforce Lead export: every value quoted, like Data Loader writes it."""
    out = io.StringIO()
    csv.writer(out, lineterminator=newline, quoting=csv.QUOTE_ALL).writerows([header, *rows])
    return out.getvalue()


def _landing(tmp_path: Path, lead: bytes) -> Path:
    """Lead.csv sorts before the other two files: they load only if the folder goes on past it."""
    landing = tmp_path / "landing"
    (landing / "salesforce").mkdir(parents=True)
    (landing / "salesforce" / "Lead.csv").write_bytes(lead)
    (landing / "salesforce" / "Opportunity.csv").write_text(OPPORTUNITY)
    (landing / "touches.csv").write_text(TOUCHES)
    return landing


def _load(tmp_path: Path, landing: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    return con, load_folder(con, landing).by_file()


def _assert_others_loaded(results: dict) -> None:
    assert (
        results["salesforce/Opportunity.csv"].status,
        results["salesforce/Opportunity.csv"].rows_loaded,
    ) == (
        "loaded",
        1,
    )
    assert (results["touches.csv"].status, results["touches.csv"].rows_loaded) == ("loaded", 1)


def test_cr_only_line_endings_load_every_row(tmp_path: Path) -> None:
    # Old Mac Excel ends records with a bare CR; the quoted value keeps its own LF.
    landing = _landing(tmp_path, lead_csv(newline="\r").encode())
    con, results = _load(tmp_path, landing)
    lead = results["salesforce/Lead.csv"]
    assert (lead.status, lead.rows_read, lead.rows_loaded, lead.rows_quarantined) == ("loaded", 3, 3, 0), lead
    assert con.execute(LEAD_SQL, ["salesforce/Lead.csv"]).fetchall() == EXPECTED_LEADS
    _assert_others_loaded(results)


def test_header_cell_over_the_csv_module_field_limit_loads(tmp_path: Path) -> None:
    long_name = "Notes_" + "x" * 131_100 + "__c"  # csv.field_size_limit() is 131,072
    rows = [row + ["note"] for row in LEADS]
    landing = _landing(tmp_path, lead_csv(LEAD_HEADER + [long_name], rows).encode())
    con, results = _load(tmp_path, landing)
    lead = results["salesforce/Lead.csv"]
    assert (lead.status, lead.rows_read, lead.rows_loaded, lead.rows_quarantined) == ("loaded", 3, 3, 0), lead
    assert con.execute(LEAD_SQL, ["salesforce/Lead.csv"]).fetchall() == EXPECTED_LEADS
    extras = con.execute("select _extra ->> ? from raw.salesforce__lead order by id", [long_name]).fetchall()
    assert extras == [("note",)] * 3
    _assert_others_loaded(results)


def test_header_longer_than_the_sniff_window_is_read_whole(tmp_path: Path) -> None:
    # Three custom fields with 100,000-character names put the header past 256 KiB: cut at the
    # sniff window, it had 13 columns instead of 14 and every row was quarantined as malformed.
    custom = [f"Custom_{i}_" + "y" * 100_000 + "__c" for i in range(3)]
    header = LEAD_HEADER + custom
    assert len(",".join(header)) > SNIFF_BYTES
    rows = [row + ["a", "b", "c"] for row in LEADS]
    landing = _landing(tmp_path, lead_csv(header, rows).encode())
    con, results = _load(tmp_path, landing)
    lead = results["salesforce/Lead.csv"]
    assert (lead.status, lead.rows_read, lead.rows_loaded, lead.rows_quarantined) == ("loaded", 3, 3, 0), lead
    assert con.execute(LEAD_SQL, ["salesforce/Lead.csv"]).fetchall() == EXPECTED_LEADS
    last = con.execute("select distinct _extra ->> ? from raw.salesforce__lead", [custom[2]]).fetchall()
    assert last == [("c",)]
    _assert_others_loaded(results)


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
    ],
)
def test_utf16_and_utf32_with_a_bom_load_like_their_utf8_copy(tmp_path: Path, codec: str, bom: bytes) -> None:
    # Excel's "Unicode Text" and many Windows tools write UTF-16 with a BOM: NUL bytes everywhere,
    # which is not a binary file. The spec says utf-8; the BOM decides.
    text = lead_csv()
    landing = _landing(tmp_path, bom + text.encode(codec))
    (landing / "utf8").mkdir()
    (landing / "utf8" / "Lead.csv").write_text(text, encoding="utf-8")
    con, results = _load(tmp_path, landing)
    for name in ("salesforce/Lead.csv", "utf8/Lead.csv"):
        lead = results[name]
        assert (lead.status, lead.rows_read, lead.rows_loaded, lead.rows_quarantined) == (
            "loaded",
            3,
            3,
            0,
        ), lead
        assert con.execute(LEAD_SQL, [name]).fetchall() == EXPECTED_LEADS
    _assert_others_loaded(results)


def test_utf16_bom_wins_over_the_encoding_a_mapping_declares(tmp_path: Path) -> None:
    mapping = tmp_path / "sheet.yml"
    mapping.write_text(
        "source_system: sheet\n"
        'defaults: {encoding: cp1251, delimiter: "\\t"}\n'
        "files:\n"
        "  - {match: 'deals*.txt', entity: deals, columns: {ID: deal_id, Этап: stage, Создана: created_at}}\n"
    )
    landing = tmp_path / "landing"
    landing.mkdir()
    text = "ID\tЭтап\tСоздана\r\n1\tПереговоры\t2024-01-15\r\n2\tУспешно\t2024-01-16\r\n"
    (landing / "deals_unicode.txt").write_bytes(text.encode("utf-16"))  # Excel "Unicode Text"
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    results = load_folder(con, landing, mappings=[mapping]).by_file()
    assert (results["deals_unicode.txt"].status, results["deals_unicode.txt"].rows_loaded) == ("loaded", 2)
    rows = con.execute("select deal_id, stage from raw.generic__deals order by 1").fetchall()
    assert rows == [("1", "Переговоры"), ("2", "Успешно")]


def test_an_unforeseen_exception_fails_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_detect = load.detect

    def exploding_detect(landed):  # noqa: ANN001, ANN202 - the loader's own LandedFile
        if landed.relative == "salesforce/Lead.csv":
            raise RuntimeError("something nobody foresaw\nwith a second line")
        return real_detect(landed)

    monkeypatch.setattr(load, "detect", exploding_detect)
    landing = _landing(tmp_path, lead_csv().encode())
    con, results = _load(tmp_path, landing)
    lead = results["salesforce/Lead.csv"]
    assert lead.status == "failed"
    assert lead.message == "salesforce/Lead.csv: RuntimeError: something nobody foresaw"
    assert (lead.rows_read, lead.rows_loaded, lead.rows_quarantined) == (0, 0, 0)
    ledger = con.execute(
        "select status, message from loader.ledger where source_file = 'salesforce/Lead.csv'"
    ).fetchall()
    assert ledger == [("failed", "salesforce/Lead.csv: RuntimeError: something nobody foresaw")]
    _assert_others_loaded(results)


def test_keyboard_interrupt_still_stops_the_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(landed):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(load, "detect", interrupted)
    landing = _landing(tmp_path, lead_csv().encode())
    with pytest.raises(KeyboardInterrupt):
        _load(tmp_path, landing)


def test_a_header_that_never_ends_fails_its_file_at_the_header_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unclosed quote in the header would make the whole file one header record: the loader reads
    # up to MAX_HEADER_BYTES (32 MiB, DuckDB's own line limit) and fails the file there. 1 MiB here.
    monkeypatch.setattr(source, "MAX_HEADER_BYTES", 1024 * 1024)
    unclosed = '"Id","Status,CreatedDate\n' + "x,y,z\n" * 400_000  # 2.4 MB
    landing = _landing(tmp_path, unclosed.encode())
    _, results = _load(tmp_path, landing)
    lead = results["salesforce/Lead.csv"]
    assert (lead.status, lead.message) == (
        "failed",
        "salesforce/Lead.csv: line 1: the header does not end within 1 MiB (an unclosed quote?)",
    )
    _assert_others_loaded(results)
