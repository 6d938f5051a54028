"""Mapping files cannot take the loader down: hostile YAML is refused fast, and every malformed
shape is a one-line SpecError naming the file and the key, never a Python exception."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.loader import SpecError, load_folder
from orchestration.loader.spec import load_mapping

MAX_MAPPING_BYTES = 1024 * 1024

# A valid deals mapping, as docs/mapping.md shows it; each bad case changes one part of it.
GOOD = """\
source_system: sheet_crm
defaults: {delimiter: ",", encoding: utf-8, probability_scale: 100}
files:
  - match: ["deals*.csv"]
    entity: deals
    columns: {Deal ID: deal_id, Stage: stage, Created: created_at}
stage_labels:
  - {label: Won, stage: closed_won}
"""
FILES = "files:\n  - match: ['deals*.csv']\n    entity: deals\n"
COLUMNS = "    columns: {Deal ID: deal_id, Stage: stage, Created: created_at}\n"

BILLION_LAUGHS = (
    "source_system: bomb\nlol0: &l0 [lol]\n"
    + "".join(f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
    + "files:\n  - entity: deals\n    match: *l9\n    columns: {Deal ID: deal_id, Stage: stage, Created: created_at}\n"
)

# (case id, mapping text, what the one-line message must contain besides the file name)
BAD_MAPPINGS = [
    ("list_with_an_unknown_field", FILES + "    columns: {Deal ID: deal_id, Stage: stage, Created: created_at, "
     "won_date: [created_at, won_at]}\n", ["won_date", "unknown field 'won_at' of deals"]),
    ("field_name_a_number", FILES + "    columns: {Deal ID: 5, Stage: stage, Created: created_at}\n",
     ["Deal ID", "field name"]),
    ("field_name_missing", FILES + "    columns: {Deal ID: , Stage: stage, Created: created_at}\n",
     ["Deal ID", "field name"]),
    ("files_not_a_list", "files: {match: 'deals*.csv', entity: deals}\n", ["'files'", "list"]),
    ("file_entry_not_a_mapping", "files: ['deals*.csv']\n", ["files[1]", "mapping"]),
    ("columns_not_a_mapping", FILES + "    columns: [deal_id, stage, created_at]\n", ["files[1]", "'columns'"]),
    ("entity_a_list", "files:\n  - {match: x.csv, entity: [deals]}\n", ["files[1]", "'entity'"]),
    ("match_a_mapping", "files:\n  - entity: deals\n    match: {a: b}\n" + COLUMNS, ["files[1]", "'match'"]),
    ("match_a_number", "files:\n  - entity: deals\n    match: 5\n" + COLUMNS, ["files[1]", "'match'"]),
    ("unknown_file_key", FILES + COLUMNS + "    colums: {X: deal_name}\n", ["files[1]", "'colums'"]),
    ("options_not_a_mapping", FILES + COLUMNS + "    options: ';'\n", ["files[1]", "'options'"]),
    ("defaults_not_a_mapping", "defaults: [utf-8]\n" + FILES + COLUMNS, ["'defaults'", "mapping"]),
    ("delimiter_a_list", "defaults: {delimiter: [',', ';']}\n" + FILES + COLUMNS, ["'delimiter'"]),
    ("unknown_encoding", "defaults: {encoding: klingon-8}\n" + FILES + COLUMNS, ["'encoding'", "klingon-8"]),
    ("probability_scale_a_word", "defaults: {probability_scale: high}\n" + FILES + COLUMNS,
     ["'probability_scale'"]),
    ("date_format_a_mapping", "defaults: {date_format: {a: b}}\n" + FILES + COLUMNS, ["'date_format'"]),
    ("constants_not_a_mapping", FILES + COLUMNS + "    constants: [currency]\n", ["files[1]", "'constants'"]),
    ("constant_value_a_mapping", FILES + COLUMNS + "    constants: {currency: {a: b}}\n",
     ["files[1]", "'currency'"]),
    ("stage_labels_not_a_list", FILES + COLUMNS + "stage_labels: {label: Won, stage: closed_won}\n",
     ["'stage_labels'", "list"]),
    ("stage_label_entry_not_a_mapping", FILES + COLUMNS + "stage_labels: [Won]\n", ["stage_labels[1]"]),
    ("stage_label_without_stage", FILES + COLUMNS + "stage_labels: [{label: Won}]\n",
     ["stage_labels[1]", "'stage'"]),
    ("stage_label_a_list", FILES + COLUMNS + "stage_labels: [{label: [Won, Gagné], stage: closed_won}]\n",
     ["stage_labels[1]", "'label'"]),
    ("unknown_top_level_key", FILES + COLUMNS + "stage_label: [{label: Won, stage: closed_won}]\n",
     ["'stage_label'", "source_system"]),
    ("source_system_a_number", "source_system: 123\n" + FILES + COLUMNS, ["'source_system'"]),
    ("source_system_a_list", "source_system: [a, b]\n" + FILES + COLUMNS, ["'source_system'"]),
    ("top_level_a_list", "- source_system: x\n", ["top level"]),
    ("empty_file", "", ["is empty"]),
    ("yaml_syntax_error", FILES + "    columns: {Deal ID: deal_id\n", ["line 5"]),
    ("deep_nesting", "source_system: x\nfiles: " + "[" * 2_000 + "]" * 2_000 + "\n", ["nested"]),
    ("tab_indentation", "source_system: x\nfiles:\n\t- entity: deals\n", ["line 3"]),
]  # fmt: skip


def _mapping(tmp_path: Path, text: str, name: str = "crm.yml") -> Path:
    path = tmp_path / name
    if not text.startswith(("source_system", "-")) and text:
        text = "source_system: sheet_crm\n" + text
    path.write_text(text, encoding="utf-8")
    return path


def test_the_base_mapping_is_valid(tmp_path: Path) -> None:
    fmt = load_mapping(_mapping(tmp_path, GOOD))
    assert [s.table for s in fmt.files] == ["raw.generic__deals"]


@pytest.mark.parametrize(("text", "phrases"), [c[1:] for c in BAD_MAPPINGS], ids=[c[0] for c in BAD_MAPPINGS])
def test_a_malformed_mapping_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, phrases: list[str]
) -> None:
    path = _mapping(tmp_path, text)
    with pytest.raises(SpecError) as raised:
        load_mapping(path)
    message = str(raised.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}: "), message
    for phrase in phrases:
        assert phrase in message, message


def test_a_list_naming_an_unknown_field_says_which(tmp_path: Path) -> None:
    """One header may feed several fields (`won_date: [created_at, closed_at]`); each must exist."""
    path = _mapping(tmp_path, BAD_MAPPINGS[0][1])
    with pytest.raises(SpecError) as raised:
        load_mapping(path)
    assert str(raised.value).startswith(
        f"{path}: files[1]: column 'won_date' maps to unknown field 'won_at' of deals; known fields: ['account_id', "
    )


def test_a_header_feeding_several_fields_is_read(tmp_path: Path) -> None:
    text = FILES + "    columns: {Deal ID: deal_id, Stage: stage, won_date: [created_at, closed_at]}\n"
    spec = load_mapping(_mapping(tmp_path, text)).files[0]
    assert [column.name for column in spec.columns["won_date"]] == ["created_at", "closed_at"]


def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    # 9 levels of 9 aliases: 387 million list items if expanded (it ran past 300 s at 6 GB).
    path = _mapping(tmp_path, BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(SpecError) as raised:
        load_mapping(path)
    assert time.monotonic() - started < 2
    assert str(raised.value) == (
        f"{path}: line 3: YAML aliases (*l0) are not allowed in mapping files; write the value out"
    )


def test_an_oversized_mapping_is_refused_unread(tmp_path: Path) -> None:
    path = _mapping(tmp_path, GOOD + "#" * MAX_MAPPING_BYTES)
    with pytest.raises(SpecError) as raised:
        load_mapping(path)
    size = os.path.getsize(path)
    assert str(raised.value) == (
        f"{path}: the mapping file is {size:,} bytes; mapping files are limited to 1 MiB ({MAX_MAPPING_BYTES:,} bytes)"
    )


def test_a_hostile_mapping_in_the_landing_folder_stops_the_load_before_anything_is_written(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    (landing / "sheet").mkdir(parents=True)
    (landing / "sheet" / "mapping.yml").write_text(BILLION_LAUGHS)
    (landing / "sheet" / "deals.csv").write_text("Deal ID,Stage,Created\nd1,Won,2024-01-01\n")
    with pytest.raises(SpecError, match=r"sheet/mapping\.yml: line 3: YAML aliases"):
        load_folder(tmp_path / "wh.duckdb", landing)
    assert not (tmp_path / "wh.duckdb").exists()


def test_the_load_command_shows_a_bad_mapping_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    landing = tmp_path / "landing"
    landing.mkdir()
    mapping = _mapping(tmp_path, BAD_MAPPINGS[0][1])
    result = CliRunner().invoke(app, ["--quiet", "load", str(landing), "--mapping", str(mapping)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"error: {mapping}: files[1]: column 'won_date' maps to unknown field 'won_at' of deals"
    )


def test_the_load_command_names_a_missing_landing_folder_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    missing = tmp_path / "no_such_folder"
    result = CliRunner().invoke(app, ["--quiet", "load", str(missing)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: landing folder {missing} does not exist: give the folder of your export files"
    ]
