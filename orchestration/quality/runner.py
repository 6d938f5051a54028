"""Validate every suite against the warehouse with Great Expectations (pandas path), build the
Data Docs, and return a QualityReport. GE is imported inside the functions: `import orchestration`
and the Dagster definitions stay fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from orchestration.settings import Settings

from .baseline import band_kwargs, read_baseline
from .context import build_data_docs, ephemeral_context
from .freshness import NEWEST_EXPORT
from .read import read_frame
from .results import Outcome, QualityReport, details_from, plain
from .spec import ROW_COUNT_ABOVE, ROW_COUNT_BELOW, ExpectationSpec, TableSpec, load_suites

GE_SEVERITY = {"error": "critical", "warn": "warning"}


def resolved_kwargs(spec: ExpectationSpec, settings: Settings, baseline: dict[str, int]) -> dict[str, Any]:
    """The spec's kwargs with {setting: name} placeholders and the row-count band filled in."""
    if spec.name in (ROW_COUNT_BELOW, ROW_COUNT_ABOVE):
        return band_kwargs(spec.name, baseline.get(spec.table), settings.row_count_band)
    return {
        key: getattr(settings, value["setting"]) if isinstance(value, dict) and "setting" in value else value
        for key, value in spec.kwargs.items()
    }


def _expectation(spec: ExpectationSpec, kwargs: dict[str, Any]) -> Any:
    import great_expectations.expectations as gxe

    class_name = "".join(part.capitalize() for part in spec.expectation.split("_"))
    return getattr(gxe, class_name)(
        **kwargs, severity=GE_SEVERITY[spec.severity], meta={"dagster_check": spec.name}
    )


def _validate_table(
    context: Any, table: TableSpec, frame: Any, kwargs: list[dict[str, Any]]
) -> list[Outcome]:
    import great_expectations as gx

    source = context.data_sources.add_or_update_pandas("warehouse")
    batch = source.add_dataframe_asset(table.table).add_batch_definition_whole_dataframe("whole_table")
    suite = context.suites.add(gx.ExpectationSuite(name=table.suite_name))
    for spec, spec_kwargs in zip(table.expectations, kwargs, strict=True):
        suite.add_expectation(_expectation(spec, spec_kwargs))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"validate.{table.suite_name}", data=batch, suite=suite)
    )
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
    if table.id_columns:
        # Each failing value comes with the ids of its row (which cohort, which deal).
        result_format["unexpected_index_column_names"] = list(table.id_columns)
    run = validation.run(batch_parameters={"dataframe": frame}, result_format=result_format)
    by_name = {r.expectation_config.meta.get("dagster_check"): r for r in run.results}
    outcomes = []
    for spec, spec_kwargs in zip(table.expectations, kwargs, strict=True):
        result = by_name[spec.name]
        if result.exception_info.get("raised_exception"):
            details = {"exception": result.exception_info.get("exception_message")}
        else:
            details = details_from(result.result)
        outcomes.append(Outcome(spec, bool(result.success), spec_kwargs, details))
    return outcomes


def run_quality(
    settings: Settings, tables: Sequence[TableSpec] | None = None, now: datetime | None = None
) -> QualityReport:
    """Validate `tables` (default: every suite) on settings.warehouse, read-only; build Data Docs."""
    tables = list(load_suites() if tables is None else tables)
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    context = ephemeral_context(settings.data_docs)
    report = QualityReport()
    baseline = read_baseline(settings.dagster_home, settings.warehouse)
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config()) as con:
        for table in tables:
            kwargs = [resolved_kwargs(spec, settings, baseline) for spec in table.expectations]
            try:
                frame = read_frame(con, table, now)
            except duckdb.Error as error:  # a missing table or column fails its checks, loudly
                message = str(error).splitlines()[0]
                report.outcomes += [
                    Outcome(s, False, k, {"exception": message})
                    for s, k in zip(table.expectations, kwargs, strict=True)
                ]
                continue
            if table.row_count_band:
                report.row_counts[table.table] = len(frame)
            outcomes = _validate_table(context, table, frame, kwargs)
            if table.table == NEWEST_EXPORT and len(frame):  # name the file the age is measured on
                newest = plain(frame.iloc[0][["newest_export_file", "newest_exported_at"]].to_dict())
                outcomes = [replace(o, details={**o.details, **newest}) for o in outcomes]
            report.outcomes += outcomes
    report.data_docs_index = build_data_docs(context, Path(settings.data_docs))
    return report
