"""Mapping files: found in the landing tree, probability scale, other encodings, bad mappings."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.loader import SpecError, load_folder

DEALS_MAPPING = """
source_system: sheet
defaults: {probability_scale: 1, timezone: America/New_York}
files:
  - match: "*.csv"
    entity: deals
    columns: {Id: deal_id, Stage: stage, Prob: probability, Created: created_at, Won: is_deleted}
    constants: {pipeline: Main}
stage_labels:
  - {label: Won it, stage: closed_won}
"""
DEALS = (
    "Id,Stage,Prob,Created,Won\nd1,Won it,0.35,2024-06-01 09:00,yes\nd2,Open,1.2,2024-06-02T10:00:00Z,nah\n"
)


def test_mapping_in_the_landing_tree_applies_to_its_folder(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "sheet").mkdir(parents=True)
    (landing / "sheet" / "mapping.yml").write_text(DEALS_MAPPING)
    (landing / "sheet" / "pipeline.csv").write_text(DEALS)
    (landing / "elsewhere.csv").write_text(DEALS)  # outside the mapping's folder: not its file
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    results = load_folder(con, landing).by_file()
    assert results["elsewhere.csv"].status == "unrecognised"
    assert results["sheet/mapping.yml"].target_table == "raw.generic__stage_labels"
    sheet = results["sheet/pipeline.csv"]
    assert (sheet.status, sheet.rows_read, sheet.rows_loaded, sheet.rows_quarantined) == (
        "loaded_with_quarantine",
        2,
        1,
        1,
    )
    # probability_scale 1: 0.35 is stored as 35 (0-100, like Salesforce); naive times are New York's.
    row = con.execute(
        "select deal_id, probability, pipeline, cast(created_at as varchar), _source_system "
        "from raw.generic__deals"
    ).fetchone()
    assert row == ("d1", 35.0, "Main", "2024-06-01 13:00:00", "sheet")
    reason = con.execute("select reason from loader.quarantine").fetchone()[0]
    assert reason == "above_max:probability; invalid_boolean:is_deleted"


@pytest.mark.parametrize(
    ("scale", "written", "stored"),
    [
        ("1", ["0.35", "35%", "7.5 %", "100%"], [35.0, 35.0, 7.5, 100.0]),  # the sign says percent
        ("100", ["35", "35%", "7,5 %", "0%"], [35.0, 35.0, 7.5, 0.0]),
    ],
)
def test_a_percent_sign_makes_a_probability_a_percentage_whatever_the_scale(
    tmp_path: Path, scale: str, written: list[str], stored: list[float]
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    mapping = tmp_path / "deals.yml"
    decimal = "," if scale == "100" else "."
    mapping.write_text(
        "source_system: sheet\n"
        f"defaults: {{probability_scale: {scale}, delimiter: ';', decimal_separator: '{decimal}'}}\n"
        "files:\n"
        "  - {match: '*.csv', entity: deals, columns: {Id: deal_id, Stage: stage, P: probability, "
        "Created: created_at}}\n"
    )
    rows = [f"d{n};Open;{value};2024-06-01" for n, value in enumerate([*written, "150%", "%"])]
    (landing / "deals.csv").write_text("Id;Stage;P;Created\n" + "\n".join(rows) + "\n")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, landing, mappings=[mapping])
    got = con.execute("select probability from raw.generic__deals order by deal_id").fetchall()
    assert [value for (value,) in got] == stored
    reasons = con.execute("select reason from loader.quarantine order by row_number").fetchall()
    assert reasons == [("above_max:probability",), ("unparseable_number:probability",)]


def test_tab_separated_utf16_file_is_transcoded(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    mapping = tmp_path / "touches.yml"
    mapping.write_text(
        "source_system: tool\n"
        'defaults: {delimiter: "\\t", encoding: utf-16}\n'
        "files:\n"
        "  - {match: '*.tsv', entity: touches, columns: {id: touch_id, at: occurred_at, kind: touch_type}}\n"
    )
    text = "id\tat\tkind\r\nt1\t2024-05-01T10:00:00+02:00\twebinar_attended\r\nt2\t2024-05-02\tchat\r\n"
    (landing / "export.tsv").write_bytes(text.encode("utf-16"))
    (landing / "README.txt").write_text("not data")  # .txt only when a mapping names it: skipped
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, mappings=[mapping])
    assert [(f.source_file, f.status, f.rows_loaded) for f in report.files] == [
        (mapping.as_posix(), "loaded", 0),
        ("README.txt", "skipped", 0),
        ("export.tsv", "loaded", 2),
    ]
    rows = con.execute(
        "select touch_id, cast(occurred_at as varchar), touch_type from raw.generic__touches order by 1"
    ).fetchall()
    assert rows == [("t1", "2024-05-01 08:00:00", "webinar_attended"), ("t2", "2024-05-02 00:00:00", "chat")]


def test_bad_mapping_raises_one_clear_spec_error(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    mapping = tmp_path / "bad.yml"
    mapping.write_text(
        "source_system: x\nfiles:\n  - {match: '*.csv', entity: deals, columns: {A: deal_idd}}\n"
    )
    with pytest.raises(SpecError, match=r"bad\.yml: files\[1\]: column 'A' maps to unknown field 'deal_idd'"):
        load_folder(tmp_path / "wh.duckdb", landing, mappings=[mapping])
