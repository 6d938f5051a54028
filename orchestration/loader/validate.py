"""SQL that types every column of a staged file at once and says why a row cannot load.

For each raw column the plan builds three expressions over the staging table's text columns
(``c0`` .. ``c<n-1>``): the cleaned text (trimmed, empty -> null), the typed value, and the
reason codes of the rules it breaks. A row loads when its joined reasons are null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .detect import norm
from .spec import Column, FileSpec, ParseOptions, Unpivot, canonical_entities, raw_table_schemas
from .sqltext import literal, literal_list

BOOLEAN_SPELLINGS = ("0", "1", "true", "false", "yes", "no", "t", "f", "y", "n")
# Whitespace a spreadsheet leaves around values, including non-breaking spaces.
TRIM_CHARS = " \t\r\n\u00a0\u202f\u2009"
SPACE_SEPARATORS = "[\\s\u00a0\u202f\u2009]"
_OFFSET = r"(Z|z|[+-]\d\d:?\d\d)$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}"
# A past event (created, occurred) later than the load is real data from a skewed clock, a local
# time read as UTC, or a date typed a few days ahead: it loads and staging flags it. Only a value
# beyond this limit, which no clock or timezone explains (2099, a year typed wrong), is quarantined:
# it would move cohorts and the pipeline's as-of date years ahead.
FUTURE_LIMIT = timedelta(days=7)


@dataclass(frozen=True)
class FieldPlan:
    column: Column
    alias: str  # t<i>: the typed value in the typed table
    sources: tuple[int, ...]  # staging columns (header positions) feeding it
    constant: str | None = None


@dataclass(frozen=True)
class CellPlan:
    """One cell of an unpivoted column family (hs_date_entered_<stage>)."""

    unpivot: Unpivot
    key: str  # the regex group: the child row's key
    name: str  # lower-cased header, used in reason codes
    alias: str
    source: int


@dataclass
class Plan:
    fields: list[FieldPlan] = field(default_factory=list)
    cells: list[CellPlan] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)  # header positions the spec does not know
    header: list[str] = field(default_factory=list)


def plan(spec: FileSpec, header: list[str]) -> Plan:
    by_header = {norm(h): targets for h, targets in spec.columns.items()}
    sources: dict[str, list[int]] = {}
    result = Plan(header=header)
    for index, written in enumerate(header):
        targets = by_header.get(norm(written))
        if targets is not None:
            for column in targets:
                # The first header feeding a field wins; later duplicates are coalesced behind it.
                sources.setdefault(column.name, []).append(index)
            continue
        cell = _cell_for(spec, written, index, len(result.cells))
        if cell is not None:
            result.cells.append(cell)
        else:
            result.extra.append(index)
    columns = {**_constant_columns(spec), **spec.fields}
    own = [name for name, _ in raw_table_schemas()[spec.table] if not name.startswith("_")]
    for i, name in enumerate(own):
        column = columns.get(name)
        if column is None:
            continue  # a raw column this file cannot feed: it lands as null
        constant = spec.constants.get(name)
        if constant is None and name not in sources:
            continue
        result.fields.append(FieldPlan(column, f"t{i}", tuple(sources.get(name, ())), constant))
    return result


def _constant_columns(spec: FileSpec) -> dict[str, Column]:
    """Rules of the fields a mapping fills with constants (they need not be mapped from a header)."""
    if not spec.constants:
        return {}
    entity = spec.table.split("__", 1)[1]
    fields: dict[str, Column] = canonical_entities()[entity]["fields"]
    return {name: fields[name] for name in spec.constants if name in fields}


def _cell_for(spec: FileSpec, written: str, index: int, n: int) -> CellPlan | None:
    name = norm(written)
    for unpivot in spec.unpivots:
        match = re.fullmatch(unpivot.pattern, name)
        if match:
            return CellPlan(unpivot, match.group(1), name, f"u{n}", index)
    return None


# --------------------------------------------------------------------------- expressions


def clean(index: int) -> str:
    return f"nullif(trim(c{index}, {literal(TRIM_CHARS)}), '')"


def _text(field_plan: FieldPlan) -> str:
    if field_plan.constant is not None:
        return literal(field_plan.constant)
    parts = [clean(i) for i in field_plan.sources]
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _number_text(v: str, options: ParseOptions) -> str:
    thousands = options.thousands_separator
    if thousands and not thousands.strip():
        # "1 234,50": any space-like separator, whatever the spreadsheet typed.
        v = f"regexp_replace({v}, {literal(SPACE_SEPARATORS)}, '', 'g')"
    elif thousands:
        v = f"replace({v}, {literal(thousands)}, '')"
    if options.decimal_separator != ".":
        v = f"replace({v}, {literal(options.decimal_separator)}, '.')"
    return v


def _split_formats(formats: tuple[str, ...]) -> tuple[list[str], list[str]]:
    aware = [f for f in formats if "%z" in f or "%Z" in f]
    return [f for f in formats if f not in aware], aware


def _timestamp(v: str, options: ParseOptions) -> str:
    """UTC naive timestamp: offsets honoured, naive values read in the spec's timezone."""
    tz = literal(options.timezone)
    naive_formats, aware_formats = _split_formats(options.timestamp_formats + options.date_formats)
    tries = []
    if naive_formats:
        tries.append(f"timezone('UTC', timezone({tz}, try_strptime({v}, {literal_list(naive_formats)})))")
    if aware_formats:
        tries.append(f"timezone('UTC', try_strptime({v}, {literal_list(aware_formats)}))")
    # ISO 8601 is always accepted: a cast to timestamp would silently drop an offset, so values
    # with one go through timestamptz.
    tries.append(
        f"case when regexp_matches({v}, {literal(_OFFSET)}) "
        f"then timezone('UTC', try_cast({v} as timestamptz)) "
        f"else timezone('UTC', timezone({tz}, try_cast({v} as timestamp))) end"
    )
    return f"coalesce({', '.join(tries)})"


def _date(v: str, options: ParseOptions) -> str:
    """A date as written; a timestamp string in a date column keeps its (local) date."""
    naive_formats, _ = _split_formats(options.date_formats + options.timestamp_formats)
    tries = []
    if naive_formats:
        tries.append(f"cast(try_strptime({v}, {literal_list(naive_formats)}) as date)")
    tries.append(f"try_cast({v} as date)")
    tries.append(f"try_cast(regexp_extract({v}, {literal(_ISO_DATE)}) as date)")
    return f"coalesce({', '.join(tries)})"


_PERCENT_SIGN = r"\s*%$"


def _probability(v: str, options: ParseOptions) -> str:
    """Generic deals store probability on 0-100 like Salesforce, so staging divides by 100 for every
    source. A value written with a percent sign ("80%", "80 %", Fxiaoke's 赢率) is that percentage
    whatever the scale; otherwise a mapping that writes 0-1 says probability_scale: 1 and is
    multiplied here."""
    unsigned = f"regexp_replace({v}, {literal(_PERCENT_SIGN)}, '')"
    n = f"try_cast({_number_text(unsigned, options)} as double)"
    value = f"case when isfinite({n}) then {n} end"
    if options.probability_scale != 1:
        return value
    return f"case when regexp_matches({v}, {literal(_PERCENT_SIGN)}) then {value} else round({value} * 100, 9) end"


def typed(column: Column, v: str, options: ParseOptions) -> str:
    if column.type == "timestamp":
        return _timestamp(v, options)
    if column.type == "date":
        return _date(v, options)
    if column.name == "probability" and column.type == "decimal":
        return _probability(v, options)
    if column.type in ("decimal", "integer"):
        n = f"try_cast({_number_text(v, options)} as double)"
        if column.type == "integer":
            whole = f"isfinite({n}) and {n} = trunc({n}) and abs({n}) < 9.2e18"
            return f"case when {whole} then cast({n} as bigint) end"
        return f"case when isfinite({n}) then {n} end"
    return v  # id, text, boolean stay text; staging owns their spellings


def reasons(column: Column, name: str, v: str, t: str, horizon: datetime | None = None) -> list[str]:
    """Reason-code expressions of one value; ``horizon`` is the latest time a past event may have."""
    out = []
    if column.required:
        out.append(f"case when {v} is null then {literal('missing_required:' + name)} end")
    kind = {"timestamp": "unparseable_timestamp", "date": "unparseable_date"}.get(column.type)
    if column.type in ("decimal", "integer"):
        kind = "unparseable_number"
    if kind:
        out.append(f"case when {v} is not null and {t} is null then {literal(kind + ':' + name)} end")
    if column.type == "boolean":
        out.append(
            f"case when {v} is not null and lower({v}) not in ({', '.join(map(literal, BOOLEAN_SPELLINGS))}) "
            f"then {literal('invalid_boolean:' + name)} end"
        )
    if column.min is not None:
        out.append(f"case when {t} < {float(column.min)!r} then {literal('below_min:' + name)} end")
    if column.max is not None:
        out.append(f"case when {t} > {float(column.max)!r} then {literal('above_max:' + name)} end")
    if column.past and horizon is not None and column.type in ("timestamp", "date"):
        bound = horizon.date().isoformat() if column.type == "date" else horizon.isoformat(sep=" ")
        limit = f"{column.type} {literal(bound)}"
        out.append(f"case when {t} > {limit} then {literal('future_' + column.type + ':' + name)} end")
    return out


def _duplicate_header_reasons(the_plan: Plan) -> list[str]:
    """The same header written twice feeds one field; when the copies disagree in a row, which
    value is true cannot be known, so the row is quarantined rather than one value dropped."""
    out = []
    for f in the_plan.fields:
        by_header: dict[str, list[int]] = {}
        for index in f.sources:
            by_header.setdefault(norm(the_plan.header[index]), []).append(index)
        for copies in by_header.values():
            pairs = [
                f"({clean(a)} is not null and {clean(b)} is not null and {clean(a)} <> {clean(b)})"
                for position, a in enumerate(copies)
                for b in copies[position + 1 :]
            ]
            if pairs:
                code = literal(f"conflicting_duplicate_column:{f.column.name}")
                out.append(f"case when {' or '.join(pairs)} then {code} end")
    return out


def typed_table_sql(
    spec: FileSpec,
    the_plan: Plan,
    staged: str,
    target: str,
    loaded_at: datetime | None = None,
    create: str = "create temp table",
) -> str:
    """``<create> <target>`` (a work table, see read.WorkPlace): the staged columns plus v*/t*/u*
    and ``_reason``.

    ``loaded_at`` (UTC) bounds past events: a created or occurred time more than FUTURE_LIMIT
    after it is quarantined as ``future_timestamp`` / ``future_date``. Order between columns
    (a close before its create) is not checked here: such rows are real CRM data (imported
    history, an expected close date that had passed) and load; staging flags them.
    """
    options = spec.options
    horizon = loaded_at + FUTURE_LIMIT if loaded_at is not None else None
    texts, values, checks = [], [], []
    for f in the_plan.fields:
        v_alias = "v" + f.alias[1:]
        texts.append(f"{_text(f)} as {v_alias}")
        values.append(f"{typed(f.column, v_alias, options)} as {f.alias}")
        checks += reasons(f.column, f.column.name, v_alias, f.alias, horizon)
    checks += _duplicate_header_reasons(the_plan)
    for cell in the_plan.cells:
        v_alias = "w" + cell.alias[1:]
        column = Column(name=cell.name, type=cell.unpivot.type, past=cell.unpivot.past)
        texts.append(f"{clean(cell.source)} as {v_alias}")
        values.append(f"{typed(column, v_alias, options)} as {cell.alias}")
        checks += reasons(column, cell.name, v_alias, cell.alias, horizon)
    reason = f"nullif(concat_ws('; ', {', '.join(checks)}), '')" if checks else "cast(null as varchar)"
    inner = f"select *{''.join(', ' + t for t in texts)} from {staged}"
    middle = f"select *{''.join(', ' + v for v in values)} from ({inner})"
    return f"{create} {target} as select *, {reason} as _reason from ({middle})"


def json_of(header: list[str], indexes: list[int], cleaned: bool) -> str:
    """A JSON object of the given columns, keyed by their header as written (DuckDB builds it)."""
    if not indexes:
        return "cast(null as varchar)"
    pairs = ", ".join(f"{literal(header[i])}, {clean(i) if cleaned else f'c{i}'}" for i in indexes)
    return f"cast(json_object({pairs}) as varchar)"
