"""Spreadsheet cells as the text a CSV export would hold, so the CSV validators parse them.

python-calamine gives typed cells: Excel stores every number as a float, so an id or a count
typed as a number comes back as ``12345.0``; it is written ``12345`` (integral floats lose the
``.0``), other numbers in positional notation (never ``1e-07``) with the spec's decimal
separator. Dates and times come back as ``date``/``datetime`` and are written in ISO 8601
(``2024-01-15``, ``2024-01-15 09:30:00``): naive, read in the spec's timezone like CSV text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any


def _number(value: float, decimal_separator: str) -> str:
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text if decimal_separator == "." else text.replace(".", decimal_separator)


def _datetime(value: datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def _duration(value: timedelta) -> str:
    """As Excel shows a duration, [h]:mm:ss."""
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def text(value: object, decimal_separator: str = ".") -> str:
    """One cell as text; an empty cell is ''."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is float:
        return _number(value, decimal_separator)  # type: ignore[arg-type]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is datetime:
        return _datetime(value)  # type: ignore[arg-type]
    if kind is date:
        return value.isoformat()  # type: ignore[attr-defined]
    if kind is time:
        return value.isoformat()  # type: ignore[attr-defined]
    if kind is timedelta:
        return _duration(value)  # type: ignore[arg-type]
    return "" if value is None else str(value)


def blank(row: list[object]) -> bool:
    return all(cell is None or (type(cell) is str and not cell.strip()) for cell in row)


def header(row: list[object]) -> list[str]:
    """A header row's cells as text, trimmed, without the empty cells after the last name."""
    names = [text(cell).strip() for cell in row]
    while names and not names[-1]:
        names.pop()
    return names


def write_rows(
    writer: Any, rows: Iterable[tuple[int, list[object]]], width: int, separator: str
) -> list[int]:
    """Write each non-blank row (cells past ``width`` kept only when one holds something, so the
    CSV reader quarantines the row as malformed rather than drop the value) and return the sheet
    row number of each row written."""
    numbers: list[int] = []
    out: list[list[str]] = []
    for number, row in rows:
        if blank(row):
            continue
        # Most cells are text: they skip the call.
        values = [cell if type(cell) is str else text(cell, separator) for cell in row]
        end = len(values)
        while end > width and not values[end - 1].strip():
            end -= 1
        if end < width:
            values += [""] * (width - end)
        out.append(values[: max(end, width)])
        numbers.append(number)
        if len(out) >= 10_000:  # in batches: csv.writer.writerows is C code
            writer.writerows(out)
            out.clear()
    writer.writerows(out)
    return numbers
