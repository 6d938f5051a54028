"""Chunked CSV output shared by every renderer: one open pyarrow writer per file, rows counted.

All columns are written as text the renderer already formatted, so the bytes on disk are exactly what
the renderer decided (quoting, booleans, timestamps), independent of pyarrow's type inference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

STR = pa.large_string()


def col(values: Any, n: int | None = None) -> pa.Array:
    """Anything (pyarrow array, numpy array, scalar with n) as a large_string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == STR else pc.cast(values, STR)
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return pa.array(values, type=STR)
        return pc.cast(pa.array(values), STR)
    if n is None:
        raise ValueError("a scalar column needs a length")
    return pa.array(np.full(n, values, dtype=object), type=STR) if values is not None else pa.nulls(n, STR)


def take(labels: list[str], codes: np.ndarray) -> pa.Array:
    """Label per code (vectorised dictionary lookup)."""
    return pa.array(labels, type=STR).take(pa.array(np.asarray(codes, dtype=np.int64)))


def where(mask: np.ndarray, a: pa.Array, b: Any) -> pa.Array:
    if not isinstance(b, pa.Array):
        b = pa.scalar(b, STR)
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), a, b)


def join(*parts: Any) -> pa.Array:
    """Concatenate string arrays / scalars element-wise."""
    return pc.binary_join_element_wise(
        *[col(p) if isinstance(p, pa.Array) else pa.scalar(p, STR) for p in parts], pa.scalar("", STR)
    )


def money(units: np.ndarray) -> pa.Array:
    """Whole currency units written with two decimals (`24500.00`)."""
    return join(col(np.asarray(units, dtype=np.int64)), ".00")


def cents(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    frac = pc.utf8_lpad(col(values % 100), 2, "0")
    return join(col(values // 100), ".", frac)


class Sink:
    """Open CSV writers under out_dir; `write` appends a chunk, `close` finishes every file."""

    def __init__(self, out_dir: Path, bom_files: set[str] | None = None) -> None:
        self.out_dir = out_dir
        self.bom_files = bom_files or set()
        self._writers: dict[str, tuple[Any, pcsv.CSVWriter]] = {}
        self.rows: dict[str, int] = {}

    def write(
        self,
        rel: str,
        columns: list[str],
        data: dict[str, Any],
        quote_all: bool = False,
        fill: str | None = None,
    ) -> int:
        n = _length(data)
        arrays = []
        for name in columns:
            value = data.get(name, fill)
            arr = col(value, n)
            if fill is not None:
                arr = pc.fill_null(arr, fill)
            arrays.append(arr)
        table = pa.Table.from_arrays(arrays, names=columns)
        if rel not in self._writers:
            path = self.out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "wb")  # noqa: SIM115 - closed in close()
            if rel in self.bom_files:
                fh.write(b"\xef\xbb\xbf")
            options = pcsv.WriteOptions(quoting_style="all_valid" if quote_all else "needed")
            self._writers[rel] = (fh, pcsv.CSVWriter(fh, table.schema, write_options=options))
            self.rows[rel] = 0
        self._writers[rel][1].write_table(table)
        self.rows[rel] += n
        return n

    def close(self) -> None:
        for fh, writer in self._writers.values():
            writer.close()
            fh.close()
        self._writers.clear()


def _length(data: dict[str, Any]) -> int:
    for value in data.values():
        if isinstance(value, (pa.Array, pa.ChunkedArray, np.ndarray)):
            return len(value)
    raise ValueError("no column with a length")
