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
from .read import chunks, is_newest_export, read_chunk, read_newest_export, read_whole, row_count
from .results import Outcome, QualityReport, details_from, merge_chunks, plain
from .results_page import write_results_page
from .spec import ROW_COUNT_ABOVE, ROW_COUNT_BELOW, ExpectationSpec, TableSpec, load_suites

GE_SEVERITY = {"error": "critical", "warn": "warning"}
RESULTS_PAGE = "results.html"  # beside Data Docs' index.html


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


def _validation(
    context: Any,
    table: TableSpec,
    part: str,
    specs: tuple[ExpectationSpec, ...],
    kwargs: dict[str, dict[str, Any]],
) -> Any:
    """A GE validation of `specs` on a dataframe asset; `part` names row-wise or whole-table."""
    import great_expectations as gx

    name = table.suite_name if part == "rows" else f"{table.suite_name}.whole_table"
    source = context.data_sources.add_or_update_pandas("warehouse")
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole_frame")
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for spec in specs:
        suite.add_expectation(_expectation(spec, kwargs[spec.name]))
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"validate.{name}", data=batch, suite=suite)
    )


def _run(validation: Any, table: TableSpec, frame: Any, label: str | None) -> dict[str, Any]:
    """GE's result per check name for one frame; `label` (the chunk) names the run in Data Docs."""
    from great_expectations.core.run_identifier import RunIdentifier

    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
    if table.id_columns:
        # Each failing value comes with the ids of its row (which cohort, which deal).
        result_format["unexpected_index_column_names"] = list(table.id_columns)
    run_id = RunIdentifier(run_name=label, run_time=datetime.now(timezone.utc)) if label else None
    run = validation.run(batch_parameters={"dataframe": frame}, result_format=result_format, run_id=run_id)
    return {r.expectation_config.meta.get("dagster_check"): r for r in run.results}


def _outcomes(
    specs: tuple[ExpectationSpec, ...], kwargs: dict[str, dict[str, Any]], runs: list[dict[str, Any]]
) -> list[Outcome]:
    """One outcome per spec over every run (chunk): it fails if any chunk fails or raises."""
    outcomes = []
    for spec in specs:
        results = [run[spec.name] for run in runs]
        raised = [r for r in results if r.exception_info.get("raised_exception")]
        if raised:
            details = {"exception": raised[0].exception_info.get("exception_message")}
        else:
            details = merge_chunks([details_from(r.result) for r in results])
        success = not raised and all(r.success for r in results)
        outcomes.append(Outcome(spec, success, kwargs[spec.name], details))
    return outcomes


def _validate_table(
    con: duckdb.DuckDBPyConnection,
    context: Any,
    table: TableSpec,
    kwargs: dict[str, dict[str, Any]],
    settings: Settings,
    now: datetime,
) -> tuple[int, list[Outcome]]:
    """(rows, outcomes): row-wise checks chunk by chunk, whole-table checks on one frame."""
    if is_newest_export(table):
        frame = read_newest_export(con, now)
        rows, whole = len(frame), frame
    else:
        rows, whole = row_count(con, table), None
    outcomes: dict[str, Outcome] = {}
    if table.row_wise:
        validation = _validation(context, table, "rows", table.row_wise, kwargs)
        parts = chunks(rows, settings.quality_chunk_rows)
        runs = [
            _run(validation, table, read_chunk(con, table, c), c.label if c.count > 1 else None)
            for c in parts
        ]
        outcomes.update((o.spec.name, o) for o in _outcomes(table.row_wise, kwargs, runs))
    if table.whole_table:
        validation = _validation(context, table, "whole", table.whole_table, kwargs)
        frame = whole if whole is not None else read_whole(con, table, rows)
        outcomes.update(
            (o.spec.name, o)
            for o in _outcomes(table.whole_table, kwargs, [_run(validation, table, frame, None)])
        )
        if is_newest_export(table) and len(frame):  # name the file the age is measured on
            newest = plain(frame.iloc[0][["newest_export_file", "newest_exported_at"]].to_dict())
            outcomes = {n: replace(o, details={**o.details, **newest}) for n, o in outcomes.items()}
    return rows, [outcomes[spec.name] for spec in table.expectations]


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
            kwargs = {spec.name: resolved_kwargs(spec, settings, baseline) for spec in table.expectations}
            try:
                rows, outcomes = _validate_table(con, context, table, kwargs, settings, now)
            except duckdb.Error as error:  # a missing table or column fails its checks, loudly
                message = str(error).splitlines()[0]
                report.outcomes += [
                    Outcome(s, False, kwargs[s.name], {"exception": message}) for s in table.expectations
                ]
                continue
            if table.row_count_band:
                report.row_counts[table.table] = rows
            report.outcomes += outcomes
    report.data_docs_index = build_data_docs(context, Path(settings.data_docs))
    # GE's Data Docs need the internet for their styles and scripts; this page does not.
    report.results_html = write_results_page(report, Path(settings.data_docs) / RESULTS_PAGE)
    return report
