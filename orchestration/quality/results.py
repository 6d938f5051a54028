"""What a quality run found, free of GE types: one outcome per expectation, the failing values
trimmed to what fits in Dagster metadata, and a summary that names each failed expectation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .spec import ExpectationSpec

MAX_VALUES = 20  # failing values kept per expectation; counts say how many there were in all
RESULT_KEYS = (
    "observed_value",
    "element_count",
    "unexpected_count",
    "unexpected_percent",
    "missing_count",
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
)


def plain(value: Any) -> Any:
    """numpy scalars, timestamps and nested containers as JSON-safe Python values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return plain(value.item())
    if isinstance(value, float) and value != value:  # NaN
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@dataclass(frozen=True)
class Outcome:
    spec: ExpectationSpec
    success: bool
    kwargs: dict[str, Any]  # as validated: settings and row-count bounds resolved
    details: dict[str, Any]  # GE's result (observed value, failing values, counts) or the error

    @property
    def blocks_publish(self) -> bool:
        return not self.success and self.spec.severity == "error"

    def describe(self) -> str:
        spec, d = self.spec, self.details
        where = f"{spec.table}: {spec.name} [{spec.severity}]"
        if "exception" in d:
            return f"{where} could not run: {d['exception']}"
        if "observed_value" in d:
            return f"{where} observed {d['observed_value']!r}, expected {self.kwargs}"
        values = d.get("partial_unexpected_list", [])[:5]
        return f"{where} {d.get('unexpected_count')} of {d.get('element_count')} rows fail {self.kwargs}, e.g. {values}"


def details_from(result: dict[str, Any]) -> dict[str, Any]:
    kept = {k: result[k] for k in RESULT_KEYS if k in result}
    for key in ("partial_unexpected_list", "partial_unexpected_counts", "partial_unexpected_index_list"):
        if key in kept:
            kept[key] = kept[key][:MAX_VALUES]
    return plain(kept)


def merge_chunks(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One row-wise expectation's details over every chunk (details_from of each): the counts add
    up, the percentage is recomputed over non-missing rows (as GE states it), the examples are the
    first MAX_VALUES found, and equal examples' counts are summed."""
    if len(results) == 1:
        return results[0]
    merged: dict[str, Any] = {}
    for key in ("element_count", "unexpected_count", "missing_count"):
        if any(key in r for r in results):
            merged[key] = sum(r.get(key) or 0 for r in results)
    if "unexpected_count" in merged:
        present = merged.get("element_count", 0) - merged.get("missing_count", 0)
        merged["unexpected_percent"] = (
            merged["unexpected_count"] / present * 100 if present else None
        )  # as GE
    for key in ("partial_unexpected_list", "partial_unexpected_index_list"):
        if any(key in r for r in results):
            merged[key] = [v for r in results for v in r.get(key, [])][:MAX_VALUES]
    if any("partial_unexpected_counts" in r for r in results):
        counts: dict[str, tuple[Any, int]] = {}
        for r in results:
            for item in r.get("partial_unexpected_counts", []):
                key = repr(item["value"])
                counts[key] = (item["value"], counts.get(key, (None, 0))[1] + item["count"])
        ranked = sorted(counts.values(), key=lambda pair: -pair[1])[:MAX_VALUES]
        merged["partial_unexpected_counts"] = [{"value": v, "count": c} for v, c in ranked]
    return merged


@dataclass
class QualityReport:
    outcomes: list[Outcome] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)  # table -> rows read this run
    data_docs_index: Path | None = None
    results_html: Path | None = None  # the project's own page of the results, which opens offline

    @property
    def blocking(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.blocks_publish]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.spec.severity == "warn"]

    @property
    def passed(self) -> bool:
        return not self.blocking

    def summary(self) -> str:
        lines = [
            f"{len(self.outcomes) - len(self.blocking) - len(self.warnings)} of {len(self.outcomes)} "
            f"expectations passed, {len(self.blocking)} error(s), {len(self.warnings)} warning(s)"
        ]
        lines += [f"- {o.describe()}" for o in self.blocking + self.warnings]
        if self.results_html:
            lines.append(f"Results: {self.results_html}")
        if self.data_docs_index:
            lines.append(f"Data Docs: {self.data_docs_index}")
        return "\n".join(lines)
