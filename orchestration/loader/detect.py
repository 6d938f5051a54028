"""Which spec a landed file belongs to: the first candidate whose required headers it has."""

from __future__ import annotations

from dataclasses import dataclass

from .discover import Candidate, LandedFile
from .errors import LoadError
from .source import (
    bom_encoding,
    codec_name,
    nul_byte_line,
    read_header,
    shown_encoding,
    undecodable_head_line,
)
from .spec import FileSpec


def norm(header: str) -> str:
    """Headers are matched case-insensitively, trimmed, BOM stripped."""
    return header.strip().lstrip("\ufeff").strip().lower()


@dataclass(frozen=True)
class Detection:
    spec: FileSpec
    label: str
    encoding: str  # Python codec name
    header: list[str]  # as written in the file, trimmed


def missing_required(spec: FileSpec, header: list[str]) -> list[str]:
    """Required fields no header feeds; a field fed by several headers needs only one of them."""
    return [" or ".join(headers) for headers in _unfed(spec, header, required=True).values()]


def missing_declared(spec: FileSpec, header: list[str]) -> str | None:
    """A warning naming the optional fields a user's mapping feeds from headers none of which is in
    the file (a typo in the mapping, or a column the export no longer has): each loads as null."""
    if not spec.headers_declared:
        return None
    unfed = _unfed(spec, header, required=False)
    if not unfed:
        return None
    named = "; ".join(
        f"{' or '.join(repr(h) for h in headers)} (field {name})" for name, headers in unfed.items()
    )
    return f"warning: mapped column(s) not in the file, so their fields load as null: {named}"


def _unfed(spec: FileSpec, header: list[str], required: bool) -> dict[str, list[str]]:
    """Fields (required or optional ones) fed by headers of which none is present, with those headers."""
    present = {norm(h) for h in header}
    by_field: dict[str, list[str]] = {}
    for written, targets in spec.columns.items():
        for column in targets:
            if column.required == required and column.name not in spec.constants:
                by_field.setdefault(column.name, []).append(written)
    return {
        name: headers for name, headers in by_field.items() if not any(norm(h) in present for h in headers)
    }


def describe(spec: FileSpec, label: str) -> str:
    required = ", ".join(spec.required_headers)
    what = spec.table.split(".", 1)[1].replace("__", " ")
    origin = f"{label} " if label.startswith("mapping") else ""
    return f"the {origin}{what} header (required columns: {required})"


def detect(landed: LandedFile) -> Detection | None:
    """The spec for this file; None when no glob matches (unrecognised).

    Raises LoadError when a glob matches but the file is empty or lacks the required headers of
    every matching spec; the message names the first (best) candidate.
    """
    first_failure: LoadError | None = None
    for candidate in landed.candidates:
        found = _try(landed, candidate)
        if isinstance(found, Detection):
            return found
        first_failure = first_failure or found
    if first_failure is not None:
        raise first_failure
    return None


def _try(landed: LandedFile, candidate: Candidate) -> Detection | LoadError:
    spec = candidate.spec
    # A byte-order mark names the encoding for certain, whatever the spec declares.
    encoding = bom_encoding(landed.path) or codec_name(spec.options.encoding, landed.relative)
    nul_line = nul_byte_line(landed.path, encoding)
    if nul_line is not None:
        return LoadError(landed.relative, "contains NUL bytes: this is a binary file, not a CSV", nul_line)
    header = read_header(landed.path, encoding, spec.options.delimiter, landed.relative)
    expected = describe(spec, candidate.label)
    if header is None:
        return LoadError(landed.relative, f"the file is empty; expected {expected}")
    missing = missing_required(spec, header)
    if missing:
        bad_line = undecodable_head_line(landed.path, encoding)
        if bad_line is not None:
            return LoadError(landed.relative, f"{not_text(encoding)}; expected {expected}", bad_line)
        return LoadError(
            landed.relative,
            f"missing required column(s) {', '.join(missing)}{_delimiter_hint(header, spec)}; "
            f"expected {expected}",
            1,
        )
    return Detection(spec, candidate.label, encoding, header)


OTHER_DELIMITERS = (";", "\t", "|", ",")


def _delimiter_hint(header: list[str], spec: FileSpec) -> str:
    """A header read as one column that holds another delimiter: say so, it is the likely cause."""
    if len(header) != 1:
        return ""
    found = [d for d in OTHER_DELIMITERS if d != spec.options.delimiter and d in header[0]]
    if not found:
        return ""
    shown = {"\t": "tab"}.get(found[0], repr(found[0]))
    wanted = {"\t": "tab"}.get(spec.options.delimiter, repr(spec.options.delimiter))
    return f" (the header is one column separated by {shown}; this format expects {wanted})"


def not_text(encoding: str) -> str:
    """Bytes outside the expected encoding: usually a file saved as cp1252/latin-1, or binary."""
    return (
        f"bytes that are not valid {shown_encoding(encoding)}: binary data or another encoding "
        "(declare it in a mapping file, e.g. encoding: cp1252)"
    )
