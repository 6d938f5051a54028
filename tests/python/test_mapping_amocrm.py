"""mappings/amocrm.yml loads a CP1251, ';'-separated amoCRM export in Moscow time."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration.loader import load_folder

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "mappings" / "amocrm"
MAPPING = ROOT / "mappings" / "amocrm.yml"
FILE = "amocrm_export_2024-02-01.csv"


def _load(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, FIXTURE, mappings=[MAPPING])
    return con, report.by_file()


def test_fixture_really_is_cp1251() -> None:
    data = (FIXTURE / FILE).read_bytes()
    assert "Бюджет".encode("cp1251") in data
    assert b"\r\n" in data


def test_amocrm_amounts_dates_and_moscow_time(tmp_path: Path) -> None:
    con, results = _load(tmp_path)
    assert (results[FILE].status, results[FILE].rows_read, results[FILE].rows_loaded) == (
        "loaded_with_quarantine",
        4,
        3,
    )
    rows = con.execute(
        "select deal_id, deal_name, amount, currency, stage, pipeline, owner_id, "
        "cast(created_at as varchar), cast(closed_at as varchar) from raw.generic__deals order by deal_id"
    ).fetchall()
    assert rows == [
        # "1 234,50" and "15.01.2024 12:30:00" Moscow (UTC+3) -> 09:30 UTC
        (
            "1001",
            "Поставка оборудования",
            1234.5,
            "RUB",
            "Переговоры",
            "Основная воронка",
            "Иван Петров",
            "2024-01-15 09:30:00",
            None,
        ),
        # "250 000"; "10.01.2024 09:00"; a date-only close is midnight in Moscow -> 21:00 UTC the day before
        (
            "1002",
            "Внедрение CRM",
            250000.0,
            "RUB",
            "Успешно реализовано",
            "Основная воронка",
            "Анна Смирнова",
            "2024-01-10 06:00:00",
            "2024-01-30 21:00:00",
        ),
        # "1 000,00" with a non-breaking space
        (
            "1003",
            "Консультация",
            1000.0,
            "RUB",
            "Закрыто и не реализовано",
            "Основная воронка",
            "Иван Петров",
            "2024-01-20 15:45:00",
            "2024-01-25 07:00:00",
        ),
    ]


def test_impossible_date_is_quarantined_with_the_canonical_field_name(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    rows = con.execute("select row_number, line_number, reason from loader.quarantine").fetchall()
    assert rows == [(4, 5, "unparseable_timestamp:created_at")]


def test_amocrm_stage_labels_land(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    labels = dict(
        con.execute(
            "select raw_label, stage from raw.generic__stage_labels where _source_system = 'amocrm'"
        ).fetchall()
    )
    assert labels["Первичный контакт"] == "qualification"
    assert labels["Успешно реализовано"] == "closed_won"
    assert labels["Закрыто и не реализовано"] == "closed_lost"
    assert len(labels) == 7


def test_the_main_contact_name_stays_in_extra_and_never_becomes_an_id(tmp_path: Path) -> None:
    """Основной контакт is a customer's name: ids reach the marts as written, so it must not feed
    person_id (staging does not read _extra)."""
    con, _ = _load(tmp_path)
    rows = con.execute(
        "select deal_id, person_id, _extra from raw.generic__deals order by deal_id"
    ).fetchall()
    assert [(deal, person) for deal, person, _ in rows] == [("1001", None), ("1002", None), ("1003", None)]
    assert [json.loads(extra)["Основной контакт"] for *_, extra in rows] == ["Мария Иванова", None, None]
