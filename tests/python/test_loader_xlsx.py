"""Spreadsheet workbooks: each recognised sheet loads like a CSV (same validation, quarantine, ledger
and lineage, ``_source_file`` = ``<workbook>!<sheet>``), other sheets and unsupported files are
ledgered ``skipped`` with why. The workbooks are written here with openpyxl, typed as Excel types
them: numbers are floats, dates and datetimes are date cells, flags are booleans."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
from openpyxl import Workbook

from orchestration.loader import cells, load_folder

PROJECT = Path(__file__).parents[2]
# Lead.xls (Excel 97-2003) was written once with xlwt, which is not a dependency: two Lead rows,
# NumberOfEmployees as numbers, CreatedDate as date cells (yyyy-mm-dd hh:mm).
FIXTURES = Path(__file__).parents[1] / "fixtures" / "loader" / "workbooks"
LEAD_HEADER = ["Id", "FirstName", "Company", "Status", "NumberOfEmployees", "IsConverted", "ConvertedDate"]
LEAD_HEADER += ["CreatedDate"]


def _lead_workbook(path: Path) -> Path:
    """A Salesforce Lead export saved as a workbook: a report title and a blank row above the header,
    a blank row between data rows, a bad date in row 8, a value past the header in row 9, and a
    second sheet of notes no format knows."""
    book = Workbook()
    leads = book.active
    leads.title = "Leads"
    leads.append(["Lead export, all open leads"])  # row 1: a title
    leads.append([])  # row 2
    leads.append(LEAD_HEADER)  # row 3
    leads.append(["00Q1", "Ann", "Acme", "Open", 250.0, False, None, datetime(2024, 1, 15, 9, 30)])
    leads.append(["00Q2", "Bob", "Initech", "Converted", 12.0, True, date(2024, 2, 1), datetime(2024, 1, 20)])
    leads.append([])  # row 6
    leads.append(["00Q3", "Cid", "Hooli", "Open", 7.0, False, None, datetime(2024, 3, 1, 8, 0, 5, 250000)])
    leads.append(["00Q4", "Dee", "Globex", "Open", 3.0, False, None, "sometime in March"])  # row 8
    leads.append(["00Q5", "Eve", "Umbrella", "Open", 1.0, False, None, datetime(2024, 3, 2), None, "stray"])
    notes = book.create_sheet("Notes")
    notes.append(["Who", "Said"])
    notes.append(["Ann", "call back"])
    book.create_sheet("Sheet3")  # left empty, as Excel's default third sheet
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _ledger(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, tuple]:
    rows = con.execute(
        "select source_file, status, rows_read, rows_loaded, rows_quarantined, message "
        "from loader.ledger where run_id = ?",
        [run_id],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_a_lead_workbook_loads_its_lead_sheet_with_typed_cells_and_sheet_rows(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _lead_workbook(landing / "crm" / "Lead.xlsx")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, run_id="first")
    assert report.ok
    ledger = _ledger(con, "first")
    sheet = "crm/Lead.xlsx!Leads"
    # Rows 4, 5, 7, 8, 9 are data (title and blank rows are not); 8 and 9 are quarantined.
    assert ledger[sheet][:4] == ("loaded_with_quarantine", 5, 3, 2)
    assert ledger["crm/Lead.xlsx!Notes"][0] == "skipped"
    assert "Notes" in ledger["crm/Lead.xlsx!Notes"][4] and "Who, Said" in ledger["crm/Lead.xlsx!Notes"][4]
    assert ledger["crm/Lead.xlsx!Sheet3"][0] == "skipped"
    assert "empty" in ledger["crm/Lead.xlsx!Sheet3"][4]
    assert set(ledger) == {sheet, "crm/Lead.xlsx!Notes", "crm/Lead.xlsx!Sheet3"}

    rows = con.execute(
        "select id, numberofemployees, isconverted, converteddate, createddate, _source_file, _row_number "
        "from raw.salesforce__lead order by id"
    ).fetchall()
    assert rows == [
        ("00Q1", 250, "false", None, datetime(2024, 1, 15, 9, 30), sheet, 1),
        ("00Q2", 12, "true", date(2024, 2, 1), datetime(2024, 1, 20), sheet, 2),
        ("00Q3", 7, "false", None, datetime(2024, 3, 1, 8, 0, 5, 250000), sheet, 3),
    ]
    quarantined = con.execute(
        "select source_file, row_number, line_number, reason, record from loader.quarantine order by line_number"
    ).fetchall()
    assert [q[:3] for q in quarantined] == [(sheet, 4, 8), (sheet, 5, 9)]
    assert quarantined[0][3] == "unparseable_timestamp:createddate"
    assert '"sometime in March"' in quarantined[0][4]
    assert quarantined[1][3].startswith("malformed_row: ") and "stray" in quarantined[1][4]
    # Ledger reconciliation per sheet: read = loaded + quarantined.
    assert all(f.reconciles for f in report.files)


def test_reloading_the_same_workbook_is_a_duplicate(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _lead_workbook(landing / "Lead.xlsx")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, landing, run_id="first")
    # Saved again under another name: same sheet content, so nothing loads twice.
    _lead_workbook(landing / "later" / "Lead_2.xlsx")
    (landing / "Lead.xlsx").unlink()
    load_folder(con, landing, run_id="second")
    ledger = _ledger(con, "second")
    status, *_, message = ledger["later/Lead_2.xlsx!Leads"]
    assert status == "skipped_duplicate" and "Lead.xlsx!Leads" in message
    assert con.execute("select count(*) from raw.salesforce__lead").fetchone()[0] == 3


def test_unsupported_files_are_ledgered_skipped_with_a_hint(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "pipeline report.pdf").write_bytes(b"%PDF-1.4 a chart")
    (landing / "README.txt").write_text("exports of March\n")
    (landing / "contacts.json").write_text("[]")
    (landing / "~$Lead.xlsx").write_bytes(b"owner file Excel keeps while the workbook is open")
    (landing / ".hidden.pdf").write_bytes(b"%PDF")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, run_id="first")
    assert report.ok
    ledger = _ledger(con, "first")
    assert set(ledger) == {"pipeline report.pdf", "README.txt", "contacts.json"}
    assert {row[0] for row in ledger.values()} == {"skipped"}
    assert "export it as CSV or XLSX" in ledger["pipeline report.pdf"][4]
    assert "export it as CSV or XLSX" in ledger["contacts.json"][4]
    assert "mapping" in ledger["README.txt"][4]


def test_a_sheet_is_recognised_by_its_header_when_no_name_fits(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(LEAD_HEADER)
    sheet.append(["00Q9", "Fay", "Stark", "Open", 40.0, False, None, datetime(2024, 4, 1, 12, 0)])
    landing.mkdir()
    book.save(landing / "export (3).xlsx")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, landing, run_id="first")
    assert _ledger(con, "first")["export (3).xlsx!Sheet1"][:3] == ("loaded", 1, 1)
    assert con.execute("select id, _source_file from raw.salesforce__lead").fetchall() == [
        ("00Q9", "export (3).xlsx!Sheet1")
    ]


def test_a_mapping_file_reads_a_workbook_of_deals(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(
        ["Deal ID", "Deal Name", "Stage", "Amount", "Probability", "Created At", "Expected Close Date"]
    )
    sheet.append([101.0, "Big one", "Proposal", 1234.5, 0.35, datetime(2024, 5, 2, 10, 0), date(2024, 6, 30)])
    sheet.append([102.0, "Small one", "Won", 99.0, 1.0, datetime(2024, 5, 3), None])
    landing.mkdir()
    book.save(landing / "deals-2024-06-01.xlsx")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, mappings=[PROJECT / "mappings" / "generic.yml"], run_id="first")
    assert report.ok
    rows = con.execute(
        "select deal_id, amount, probability, created_at, expected_close_date, _source_file, _exported_at "
        "from raw.generic__deals order by deal_id"
    ).fetchall()
    name = "deals-2024-06-01.xlsx!Deals"
    assert rows == [
        ("101", 1234.5, 35.0, datetime(2024, 5, 2, 10, 0), date(2024, 6, 30), name, datetime(2024, 6, 1)),
        ("102", 99.0, 100.0, datetime(2024, 5, 3), None, name, datetime(2024, 6, 1)),
    ]


def test_an_amocrm_excel_export_reads_typed_and_text_cells_with_the_mappings_options(tmp_path: Path) -> None:
    """amoCRM's mapping is written for its CSV (';', CP1251, decimal commas, DD.MM.YYYY, Moscow time);
    its Excel export holds typed cells and, as often, numbers and dates typed as text: both load."""
    landing = tmp_path / "landing"
    book = Workbook()
    sheet = book.active
    sheet.title = "Сделки"
    sheet.append(["ID", "Название сделки", "Бюджет", "Этап сделки", "Дата создания"])
    sheet.append([5001.0, "Поставка; склад", 150000.5, "Переговоры", datetime(2024, 3, 1, 12, 0)])
    sheet.append(["5002", "Аудит", "1 234,50", "Переговоры", "01.03.2024 12:00"])
    landing.mkdir()
    book.save(landing / "amocrm_export_2024-03-02.xlsx")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, mappings=[PROJECT / "mappings" / "amocrm.yml"], run_id="first")
    assert report.ok
    rows = con.execute(
        "select deal_id, deal_name, amount, currency, created_at from raw.generic__deals order by deal_id"
    ).fetchall()
    # 12:00 in Moscow (UTC+3) is 09:00 UTC, from the date cell and from the text alike.
    assert rows == [
        ("5001", "Поставка; склад", 150000.5, "RUB", datetime(2024, 3, 1, 9, 0)),
        ("5002", "Аудит", 1234.5, "RUB", datetime(2024, 3, 1, 9, 0)),
    ]
    assert con.execute("select distinct _source_file from raw.generic__deals").fetchall() == [
        ("amocrm_export_2024-03-02.xlsx!Сделки",)
    ]


def test_an_old_excel_xls_workbook_loads_like_xlsx(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(FIXTURES / "Lead.xls", landing / "Lead.xls")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, landing, run_id="first")
    assert _ledger(con, "first")["Lead.xls!Leads"][:3] == ("loaded", 2, 2)
    rows = con.execute(
        "select id, numberofemployees, createddate from raw.salesforce__lead order by id"
    ).fetchall()
    assert rows == [("00Q1", 250, datetime(2024, 1, 15, 9, 30)), ("00Q2", 12, datetime(2024, 1, 20))]


def test_typed_cells_are_written_as_the_validators_read_them() -> None:
    assert cells.text(12345.0) == "12345"
    assert cells.text(-0.0) == "0"
    assert cells.text(1234.56) == "1234.56"
    assert cells.text(1234.56, ",") == "1234,56"
    assert cells.text(1.5e-7) == "0.00000015"
    assert cells.text(1e20) == "100000000000000000000"
    assert cells.text(True) == "true"
    assert cells.text(datetime(2024, 1, 15, 9, 30)) == "2024-01-15 09:30:00"
    assert cells.text(datetime(2024, 1, 15, 9, 30, 0, 123000)) == "2024-01-15 09:30:00.123"
    assert cells.text(date(2024, 2, 1)) == "2024-02-01"
    assert cells.text("00123") == "00123"
    assert cells.text(None) == ""


def test_a_corrupt_workbook_fails_and_a_recent_one_waits(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "Lead.xlsx").write_bytes(b"PK\x03\x04 cut short by a failed download")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, run_id="first")
    assert not report.ok
    status, *_, message = _ledger(con, "first")["Lead.xlsx"]
    assert status == "failed" and "not a readable workbook" in message
    # A workbook modified within the settle time is not read at all: the next load takes it.
    _lead_workbook(landing / "Lead.xlsx")
    load_folder(con, landing, run_id="second", settle_seconds=3600)
    assert _ledger(con, "second")["Lead.xlsx"][0] == "not_settled"
