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

import codecs
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
    # header (as written in the file, any case) -> the raw columns it feeds: one, or several when a
    # mapping lets one header feed several fields (`won_date: [created_at, closed_at]`)
    columns: dict[str, tuple[Column, ...]]
    key: tuple[str, ...]  # raw columns that identify a record version's entity
    options: ParseOptions
    unpivots: tuple[Unpivot, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)  # raw column -> fixed value
    origin: str = ""  # the YAML file this came from, for messages
    # A user's mapping names the headers its files have, so one missing from a matched file is a
    # mistake to report; a built-in format lists every column some export may carry.
    headers_declared: bool = False

    def matches(self, relative_path: str) -> bool:
        name = Path(relative_path).name
        return any(
            fnmatch.fnmatch(name.lower(), pattern.lower())
            or fnmatch.fnmatch(relative_path.lower(), pattern.lower())
            for pattern in self.match
        )

    @property
    def fields(self) -> dict[str, Column]:
        """Every raw column a header feeds, by name."""
        return {column.name: column for targets in self.columns.values() for column in targets}

    @property
    def required_headers(self) -> list[str]:
        return [
            header
            for header, targets in self.columns.items()
            if any(column.required and column.name not in self.constants for column in targets)
        ]


@dataclass(frozen=True)
class StageLabel:
    source_system: str
    pipeline: str
    raw_label: str
    stage: str


@dataclass(frozen=True)
class ChannelLabel:
    """A lead-source (or UTM) label of one source system and the canonical channel it means."""

    source_system: str
    raw_label: str
    channel: str


@dataclass(frozen=True)
class FormatSpec:
    """A whole spec file: its file kinds and (for mappings) its stage and channel labels."""

    source_system: str
    files: tuple[FileSpec, ...]
    stage_labels: tuple[StageLabel, ...] = ()
    channel_labels: tuple[ChannelLabel, ...] = ()
    origin: str = ""

    def spec_for(self, relative_path: str) -> FileSpec | None:
        for spec in self.files:
            if spec.matches(relative_path):
                return spec
        return None


# --------------------------------------------------------------------------- parsing


# A mapping file is a page of YAML; anything bigger is a mistake or an attack, refused unread.
MAX_MAPPING_BYTES = 1024 * 1024


MAX_YAML_DEPTH = 50  # a mapping file nests 4 deep; deeper is an attack on the parser's recursion


class _Refused(Exception):
    """The YAML uses something a mapping file never needs; ``str()`` says what, ``line`` where."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.line = line


class _SafeMappingLoader(yaml.SafeLoader):
    """SafeLoader without aliases and without deep nesting: ``*name`` is how a "billion laughs"
    mapping of a few hundred bytes expands to gigabytes, and a hand-written mapping needs neither."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                f"YAML aliases (*{event.anchor}) are not allowed in mapping files; write the value out",
                event.start_mark.line + 1,
            )
        if self.depth >= MAX_YAML_DEPTH:
            raise _Refused(
                f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark.line + 1
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _read_yaml(path: Path) -> dict[str, Any]:
    """The top-level mapping of a spec file, read safely: size-limited, no aliases, one-line errors."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise SpecError(f"{path}: cannot read the mapping: {exc.strerror or exc}") from exc
    if len(data) > MAX_MAPPING_BYTES:
        size = path.stat().st_size
        raise SpecError(
            f"{path}: the mapping file is {size:,} bytes; mapping files are limited to 1 MiB "
            f"({MAX_MAPPING_BYTES:,} bytes)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SpecError(f"{path}: line {line}: the mapping is not UTF-8 text ({exc.reason})") from exc
    try:
        loaded = yaml.load(text, Loader=_SafeMappingLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise SpecError(f"{path}: line {exc.line}: {exc}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: {_yaml_problem(exc)}") from None
    except RecursionError:
        raise SpecError(f"{path}: the YAML is nested too deeply to be a mapping file") from None
    if loaded is None:
        raise SpecError(f"{path}: the mapping file is empty")
    if not isinstance(loaded, dict):
        raise SpecError(f"{path}: expected a mapping at the top level, got {type(loaded).__name__}")
    return loaded


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML syntax error on one line: where, and what the parser found."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        context = f"{context} (line {context_mark.line + 1})"
    text = f"{where}invalid YAML: {problem}" + (f", {context}" if context else "")
    return " ".join(text.split())


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


TEXT_OPTIONS = ("delimiter", "encoding", "timezone", "decimal_separator", "thousands_separator")
FORMAT_OPTIONS = ("date_format", "timestamp_format")


def _parse_options(raw: dict[str, Any], origin: str) -> ParseOptions:
    known = {*TEXT_OPTIONS, *FORMAT_OPTIONS, "probability_scale"}
    unknown = set(raw) - known
    if unknown:
        raise SpecError(f"{origin}: unknown parse option(s) {sorted(unknown)}; known: {sorted(known)}")
    for name in TEXT_OPTIONS:
        if name in raw and not isinstance(raw[name], str):
            raise SpecError(f"{origin}: parse option {name!r} must be text, got {raw[name]!r}")
    for name in FORMAT_OPTIONS:
        value = raw.get(name)
        if value is not None and not _is_text_or_texts(value):
            raise SpecError(
                f"{origin}: parse option {name!r} must be a strptime format or a list of them, got {value!r}"
            )
    delimiter = raw.get("delimiter", ",")
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise SpecError(
            f"{origin}: parse option 'delimiter' must be one character such as ',' ';' or a tab, got {delimiter!r}"
        )
    encoding = raw.get("encoding", "utf-8")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SpecError(f"{origin}: parse option 'encoding' names an unknown encoding {encoding!r}") from None
    scale = raw.get("probability_scale")
    try:
        scale = float(scale) if scale is not None else None
    except (TypeError, ValueError):
        scale = -1.0
    if scale is not None and scale not in (1.0, 100.0):
        raise SpecError(
            f"{origin}: parse option 'probability_scale' must be 1 or 100, got {raw['probability_scale']!r}"
        )
    return ParseOptions(
        delimiter=delimiter,
        encoding=encoding,
        timezone=str(raw.get("timezone", "UTC")),
        date_formats=_as_tuple(raw.get("date_format")),
        timestamp_formats=_as_tuple(raw.get("timestamp_format")),
        decimal_separator=str(raw.get("decimal_separator", ".")),
        thousands_separator=str(raw.get("thousands_separator", "")),
        probability_scale=scale,
    )


def _is_text_or_texts(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
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
            header: (_parse_column(header.lower(), rules, origin),)
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
CHANNEL_LABELS_TABLE = f"{RAW_SCHEMA}.generic__channel_labels"


MAPPING_KEYS = ("source_system", "defaults", "files", "stage_labels", "channel_labels")
FILE_KEYS = ("match", "entity", "columns", "constants", "options")
STAGE_LABEL_KEYS = ("label", "stage", "pipeline")
CHANNEL_LABEL_KEYS = ("label", "channel")
SCALAR = (str, int, float)


def _known_keys(data: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in known:
            raise SpecError(f"{where}unknown key {key!r}; known keys: {', '.join(known)}")


def _mapping_or_none(value: Any, where: str, what: str) -> dict[str, Any]:
    """A YAML mapping (None when absent or left empty reads as {}); anything else is refused."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(f"{where}{what} must be a mapping (key: value lines), got {value!r:.80}")
    return value


def _list_or_none(value: Any, where: str, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpecError(f"{where}{what} must be a list (lines starting with '- '), got {value!r:.80}")
    return value


def _column_targets(
    header: str, target: Any, entity: str, fields: dict[str, Column], origin: str
) -> tuple[Column, ...]:
    """The fields one header feeds: a field name, or a list of them (`won_date: [created_at, closed_at]`)."""
    names = target if isinstance(target, list) else [target]
    if not names:
        raise SpecError(
            f"{origin}: column {header!r} maps to an empty list; name at least one field of {entity}"
        )
    targets = []
    for name in names:
        if not isinstance(name, str):
            raise SpecError(
                f"{origin}: column {header!r} must map to a field name of {entity} (or a list of them), "
                f"got {target!r:.80}; known fields: {sorted(fields)}"
            )
        if name not in fields:
            raise SpecError(
                f"{origin}: column {header!r} maps to unknown field {name!r} of {entity}; "
                f"known fields: {sorted(fields)}"
            )
        if fields[name] in targets:
            raise SpecError(f"{origin}: column {header!r} names field {name!r} twice")
        targets.append(fields[name])
    return tuple(targets)


def _globs(value: Any, origin: str) -> tuple[str, ...]:
    if not _is_text_or_texts(value):
        raise SpecError(f"{origin}: 'match' must be a file glob or a list of them, got {value!r:.80}")
    return _as_tuple(value)


def _label_text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, SCALAR):
        raise SpecError(
            f"{where}: {key!r} must be one text value (quote it if YAML reads it otherwise), got {value!r:.80}"
        )
    return str(value)


def load_mapping(path: str | Path) -> FormatSpec:
    """Read a user's mapping file; every mistake is one line naming the file and the key."""
    path = Path(path)
    data = _read_yaml(path)
    _known_keys(data, MAPPING_KEYS, f"{path}: top level: ")
    system = data.get("source_system")
    if not isinstance(system, str) or not system or not system.replace("_", "").isalnum():
        raise SpecError(
            f"{path}: 'source_system' must be a short name of letters, digits and _, got {system!r:.80}"
        )
    entities = canonical_entities()
    defaults = _mapping_or_none(data.get("defaults"), f"{path}: ", "'defaults'")
    files = []
    for index, entry in enumerate(_list_or_none(data.get("files"), f"{path}: ", "'files'"), start=1):
        origin = f"{path}: files[{index}]"
        if not isinstance(entry, dict):
            raise SpecError(
                f"{origin} must be a mapping with 'match', 'entity' and 'columns', got {entry!r:.80}"
            )
        _known_keys(entry, FILE_KEYS, f"{origin}: ")
        entity = entry.get("entity")
        if not isinstance(entity, str) or entity not in entities:
            raise SpecError(f"{origin}: 'entity' must be one of {sorted(entities)}, got {entity!r:.80}")
        if "match" not in entry:
            raise SpecError(f"{origin}: 'match' (a file glob) is required")
        match = _globs(entry["match"], origin)
        fields: dict[str, Column] = entities[entity]["fields"]
        columns: dict[str, tuple[Column, ...]] = {}
        for header, target in _mapping_or_none(entry.get("columns"), f"{origin}: ", "'columns'").items():
            if header is None or isinstance(header, bool):
                raise SpecError(f"{origin}: column header {header!r} is how YAML reads it; quote the header")
            columns[str(header)] = _column_targets(str(header), target, entity, fields, origin)
        constants: dict[str, str] = {}
        for name, value in _mapping_or_none(entry.get("constants"), f"{origin}: ", "'constants'").items():
            if name not in fields:
                raise SpecError(f"{origin}: constant {name!r} is not a field of {entity}")
            if not isinstance(value, SCALAR):
                raise SpecError(f"{origin}: constant {name!r} must be one value, got {value!r:.80}")
            constants[str(name)] = str(value)
        mapped = {c.name for targets in columns.values() for c in targets} | set(constants)
        missing = [n for n, c in fields.items() if c.required and n not in mapped]
        if missing:
            raise SpecError(f"{origin}: required field(s) {missing} of {entity} are not mapped")
        options = _mapping_or_none(entry.get("options"), f"{origin}: ", "'options'")
        files.append(
            FileSpec(
                source_system=system,
                table=generic_table(entity),
                match=match,
                columns=columns,
                key=entities[entity]["key"],
                options=_parse_options({**defaults, **options}, origin),
                constants=constants,
                origin=str(path),
                headers_declared=True,
            )
        )
    if not files:
        raise SpecError(f"{path}: 'files' lists no file kinds")
    labels = []
    for index, item in enumerate(
        _list_or_none(data.get("stage_labels"), f"{path}: ", "'stage_labels'"), start=1
    ):
        where = f"{path}: stage_labels[{index}]"
        if not isinstance(item, dict) or "label" not in item or "stage" not in item:
            raise SpecError(
                f"{where} needs 'label' and 'stage' (e.g. {{label: Won, stage: closed_won}}), got {item!r:.80}"
            )
        _known_keys(item, STAGE_LABEL_KEYS, f"{where}: ")
        labels.append(
            StageLabel(
                source_system=system,
                pipeline=_label_text(item, "pipeline", where) if "pipeline" in item else "*",
                raw_label=_label_text(item, "label", where),
                stage=_label_text(item, "stage", where),
            )
        )
    return FormatSpec(
        source_system=system,
        files=tuple(files),
        stage_labels=tuple(labels),
        channel_labels=_channel_labels(data.get("channel_labels"), system, path),
        origin=str(path),
    )


def _channel_labels(raw: Any, system: str, path: Path) -> tuple[ChannelLabel, ...]:
    """`channel_labels:` of a mapping: what its lead-source (or UTM) labels mean as channels."""
    labels = []
    for index, item in enumerate(_list_or_none(raw, f"{path}: ", "'channel_labels'"), start=1):
        where = f"{path}: channel_labels[{index}]"
        if not isinstance(item, dict) or "label" not in item or "channel" not in item:
            raise SpecError(
                f"{where} needs 'label' and 'channel' (e.g. {{label: social, channel: paid_social}}), "
                f"got {item!r:.80}"
            )
        _known_keys(item, CHANNEL_LABEL_KEYS, f"{where}: ")
        channel = _label_text(item, "channel", where).strip().lower()
        if not channel.replace("_", "").isalnum():
            raise SpecError(
                f"{where}: 'channel' must be a short name of letters, digits and _ "
                f"(e.g. paid_social), got {item['channel']!r:.80}"
            )
        labels.append(ChannelLabel(system, _label_text(item, "label", where), channel))
    return tuple(labels)


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
            own = [(c.name, c.storage_type) for c in spec.fields.values()]
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
    schemas[CHANNEL_LABELS_TABLE] = [("raw_label", "varchar"), ("channel", "varchar")] + LINEAGE_COLUMNS
    return schemas


def create_table_sql(table: str, columns: list[tuple[str, str]]) -> str:
    cols = ",\n    ".join(f"{name} {dtype}" for name, dtype in columns)
    return f"create table if not exists {table} (\n    {cols}\n)"
