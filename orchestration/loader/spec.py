"""Format specs: what a landed file looks like and which raw table it feeds.

Two kinds of spec share one shape:

* built-in formats (``formats/salesforce.yml``, ``hubspot.yml``, ``marketing.yml``): each file
  lands in a source-specific raw table whose columns are the source's own header names,
  lower-cased (``raw.salesforce__opportunity.stagename``);
* mapping files (``mappings/*.yml``, written by users for any other CRM): each file feeds one
  canonical entity of ``formats/canonical.yml`` and lands in ``raw.generic__<entity>`` with
  the canonical field names, tagged with the mapping's ``source_system``.

This module only reads and validates specs and derives the raw table schemas; reading files
is the loader's job.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FORMATS_DIR = Path(__file__).parent / "formats"
RAW_SCHEMA = "raw"

# Logical type -> DuckDB storage type in the raw layer. Booleans and ids stay text: their
# spellings (0/1, true/false, all-zero Salesforce ids) are staging's job.
STORAGE_TYPES = {
    "id": "varchar",
    "text": "varchar",
    "boolean": "varchar",
    "timestamp": "timestamp",
    "date": "date",
    "decimal": "double",
    "integer": "bigint",
}

# Lineage columns every raw table carries, in this order, after its own columns.
LINEAGE_COLUMNS: list[tuple[str, str]] = [
    ("_source_system", "varchar"),
    ("_source_file", "varchar"),
    ("_file_hash", "varchar"),
    ("_row_number", "bigint"),
    ("_exported_at", "timestamp"),
    ("_loaded_at", "timestamp"),
    ("_run_id", "varchar"),
    ("_extra", "varchar"),
]


class SpecError(ValueError):
    """A format spec or mapping file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Column:
    """One column of a raw table, and the rules a value must meet to be loaded."""

    name: str  # raw column name
    type: str  # logical type, a key of STORAGE_TYPES
    required: bool = False
    min: float | None = None
    max: float | None = None
    # A past event (created, modified, occurred): far after the load time is impossible
    # (validate.FUTURE_LIMIT); a little after it loads and staging flags it.
    past: bool = False

    @property
    def storage_type(self) -> str:
        return STORAGE_TYPES[self.type]


@dataclass(frozen=True)
class Unpivot:
    """A family of columns (``hs_date_entered_<stage>``) folded into a long child table."""

    pattern: str  # regular expression with one group: the key carried by the column name
    table: str  # full child table name
    key_column: str
    value_column: str
    type: str
    past: bool = False  # every cell records a past event (a stage entered or exited)


@dataclass(frozen=True)
class ParseOptions:
    delimiter: str = ","
    encoding: str = "utf-8"
    timezone: str = "UTC"
    date_formats: tuple[str, ...] = ()  # strptime formats; empty means ISO 8601
    timestamp_formats: tuple[str, ...] = ()
    decimal_separator: str = "."
    thousands_separator: str = ""
    probability_scale: float | None = None  # 100 when probabilities are written 0-100


@dataclass(frozen=True)
class FileSpec:
    """How one kind of file is read and where it lands."""

    source_system: str
    table: str  # full raw table name, e.g. raw.salesforce__opportunity
    match: tuple[str, ...]  # globs on the file name (or on the path relative to the landing dir)
    columns: dict[str, Column]  # header (as written in the file, any case) -> raw column
    key: tuple[str, ...]  # raw columns that identify a record version's entity
    options: ParseOptions
    unpivots: tuple[Unpivot, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)  # raw column -> fixed value
    origin: str = ""  # the YAML file this came from, for messages

    def matches(self, relative_path: str) -> bool:
        name = Path(relative_path).name
        return any(
            fnmatch.fnmatch(name.lower(), pattern.lower())
            or fnmatch.fnmatch(relative_path.lower(), pattern.lower())
            for pattern in self.match
        )

    @property
    def required_headers(self) -> list[str]:
        return [
            header
            for header, column in self.columns.items()
            if column.required and column.name not in self.constants
        ]


@dataclass(frozen=True)
class StageLabel:
    source_system: str
    pipeline: str
    raw_label: str
    stage: str


@dataclass(frozen=True)
class FormatSpec:
    """A whole spec file: its file kinds and (for mappings) its stage labels."""

    source_system: str
    files: tuple[FileSpec, ...]
    stage_labels: tuple[StageLabel, ...] = ()
    origin: str = ""

    def spec_for(self, relative_path: str) -> FileSpec | None:
        for spec in self.files:
            if spec.matches(relative_path):
                return spec
        return None


# --------------------------------------------------------------------------- parsing


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot read the mapping: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _parse_options(raw: dict[str, Any], origin: str) -> ParseOptions:
    known = {
        "delimiter",
        "encoding",
        "timezone",
        "date_format",
        "timestamp_format",
        "decimal_separator",
        "thousands_separator",
        "probability_scale",
    }
    unknown = set(raw) - known
    if unknown:
        raise SpecError(f"{origin}: unknown parse option(s) {sorted(unknown)}; known: {sorted(known)}")
    scale = raw.get("probability_scale")
    if scale is not None and float(scale) not in (1.0, 100.0):
        raise SpecError(f"{origin}: probability_scale must be 1 or 100, got {scale!r}")
    return ParseOptions(
        delimiter=str(raw.get("delimiter", ",")),
        encoding=str(raw.get("encoding", "utf-8")),
        timezone=str(raw.get("timezone", "UTC")),
        date_formats=_as_tuple(raw.get("date_format")),
        timestamp_formats=_as_tuple(raw.get("timestamp_format")),
        decimal_separator=str(raw.get("decimal_separator", ".")),
        thousands_separator=str(raw.get("thousands_separator", "")),
        probability_scale=float(scale) if scale is not None else None,
    )


def _parse_column(name: str, raw: Any, origin: str) -> Column:
    if not isinstance(raw, dict) or "type" not in raw:
        raise SpecError(f"{origin}: column {name!r} needs a mapping with a 'type'")
    if raw["type"] not in STORAGE_TYPES:
        raise SpecError(f"{origin}: column {name!r} has unknown type {raw['type']!r}")
    return Column(
        name=name,
        type=raw["type"],
        required=bool(raw.get("required", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        past=bool(raw.get("past", False)),
    )


def _merged_options(defaults: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    merged.update(entry.get("options", {}) or {})
    return merged


def _parse_builtin(path: Path) -> FormatSpec:
    data = _read_yaml(path)
    system = data["source_system"]
    defaults = data.get("defaults", {}) or {}
    files = []
    for entry in data.get("files", []):
        origin = f"{path.name} [{entry.get('table')}]"
        columns = {
            header: _parse_column(header.lower(), rules, origin)
            for header, rules in (entry.get("columns") or {}).items()
        }
        unpivots = tuple(
            Unpivot(
                pattern=u["pattern"],
                table=f"{RAW_SCHEMA}.{system}__{u['table']}",
                key_column=u["key_column"],
                value_column=u["value_column"],
                type=u.get("type", "text"),
                past=bool(u.get("past", False)),
            )
            for u in entry.get("unpivot", []) or []
        )
        files.append(
            FileSpec(
                source_system=system,
                table=f"{RAW_SCHEMA}.{system}__{entry['table']}",
                match=_as_tuple(entry["match"]),
                columns=columns,
                key=tuple(k.lower() for k in _as_tuple(entry.get("key"))),
                options=_parse_options(_merged_options(defaults, entry), origin),
                unpivots=unpivots,
                origin=str(path),
            )
        )
    return FormatSpec(source_system=system, files=tuple(files), origin=str(path))


@cache
def canonical_entities() -> dict[str, dict[str, Any]]:
    """The canonical entities mapping files feed, with their fields' rules."""
    data = _read_yaml(FORMATS_DIR / "canonical.yml")
    entities: dict[str, dict[str, Any]] = {}
    for entity, body in data["entities"].items():
        origin = f"canonical.yml [{entity}]"
        entities[entity] = {
            "key": tuple(_as_tuple(body.get("key"))),
            "fields": {name: _parse_column(name, rules, origin) for name, rules in body["fields"].items()},
        }
    return entities


def generic_table(entity: str) -> str:
    return f"{RAW_SCHEMA}.generic__{entity}"


STAGE_LABELS_TABLE = f"{RAW_SCHEMA}.generic__stage_labels"


def load_mapping(path: str | Path) -> FormatSpec:
    """Read a user's mapping file; every mistake is reported with the file and the key."""
    path = Path(path)
    data = _read_yaml(path)
    system = data.get("source_system")
    if not system or not str(system).replace("_", "").isalnum():
        raise SpecError(f"{path}: 'source_system' must be a short name of letters, digits and _")
    entities = canonical_entities()
    defaults = data.get("defaults", {}) or {}
    files = []
    for index, entry in enumerate(data.get("files") or [], start=1):
        origin = f"{path}: files[{index}]"
        entity = entry.get("entity")
        if entity not in entities:
            raise SpecError(f"{origin}: 'entity' must be one of {sorted(entities)}, got {entity!r}")
        if "match" not in entry:
            raise SpecError(f"{origin}: 'match' (a file glob) is required")
        fields: dict[str, Column] = entities[entity]["fields"]
        columns: dict[str, Column] = {}
        for header, target in (entry.get("columns") or {}).items():
            if target not in fields:
                raise SpecError(
                    f"{origin}: column {header!r} maps to unknown field {target!r} of {entity}; "
                    f"known fields: {sorted(fields)}"
                )
            columns[str(header)] = fields[target]
        constants = {str(k): str(v) for k, v in (entry.get("constants") or {}).items()}
        for name in constants:
            if name not in fields:
                raise SpecError(f"{origin}: constant {name!r} is not a field of {entity}")
        mapped = {c.name for c in columns.values()} | set(constants)
        missing = [n for n, c in fields.items() if c.required and n not in mapped]
        if missing:
            raise SpecError(f"{origin}: required field(s) {missing} of {entity} are not mapped")
        files.append(
            FileSpec(
                source_system=str(system),
                table=generic_table(entity),
                match=_as_tuple(entry["match"]),
                columns=columns,
                key=entities[entity]["key"],
                options=_parse_options(_merged_options(defaults, entry), origin),
                constants=constants,
                origin=str(path),
            )
        )
    if not files:
        raise SpecError(f"{path}: 'files' lists no file kinds")
    labels = []
    for index, item in enumerate(data.get("stage_labels") or [], start=1):
        try:
            labels.append(
                StageLabel(
                    source_system=str(system),
                    pipeline=str(item.get("pipeline", "*")),
                    raw_label=str(item["label"]),
                    stage=str(item["stage"]),
                )
            )
        except (KeyError, AttributeError) as exc:
            raise SpecError(f"{path}: stage_labels[{index}] needs 'label' and 'stage'") from exc
    return FormatSpec(
        source_system=str(system), files=tuple(files), stage_labels=tuple(labels), origin=str(path)
    )


@cache
def builtin_formats() -> tuple[FormatSpec, ...]:
    """Salesforce, HubSpot and marketing, in the order a file is tried against them."""
    return tuple(
        _parse_builtin(FORMATS_DIR / f"{name}.yml") for name in ("salesforce", "hubspot", "marketing")
    )


# --------------------------------------------------------------------------- raw schema


def raw_table_schemas() -> dict[str, list[tuple[str, str]]]:
    """Every raw table the loader may write, with its columns (name, DuckDB type).

    All of them exist after ``ensure_raw_tables`` even when no file fed them, so staging
    models always build and say 0 rows rather than failing on a missing object.
    """
    schemas: dict[str, list[tuple[str, str]]] = {}
    for fmt in builtin_formats():
        for spec in fmt.files:
            own = [(c.name, c.storage_type) for c in spec.columns.values()]
            schemas[spec.table] = own + LINEAGE_COLUMNS
            parent_key = [(k, "varchar") for k in spec.key]
            for unpivot in spec.unpivots:
                schemas[unpivot.table] = (
                    parent_key
                    + [(unpivot.key_column, "varchar"), (unpivot.value_column, STORAGE_TYPES[unpivot.type])]
                    + LINEAGE_COLUMNS
                )
    for entity, body in canonical_entities().items():
        schemas[generic_table(entity)] = [
            (c.name, c.storage_type) for c in body["fields"].values()
        ] + LINEAGE_COLUMNS
    schemas[STAGE_LABELS_TABLE] = [
        ("pipeline", "varchar"),
        ("raw_label", "varchar"),
        ("stage", "varchar"),
    ] + LINEAGE_COLUMNS
    return schemas


def create_table_sql(table: str, columns: list[tuple[str, str]]) -> str:
    cols = ",\n    ".join(f"{name} {dtype}" for name, dtype in columns)
    return f"create table if not exists {table} (\n    {cols}\n)"
