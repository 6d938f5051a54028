"""Great Expectations suites as Dagster asset checks: one check per expectation, attached to the
asset of the table it reads (the dbt model's asset, or landed_exports for export freshness).

All checks run in one step after dbt build (they depend on the dbt assets) and inside the writer
pool, because the step reads the warehouse and records the row-count baseline. Checks of severity
error are blocking: when one fails, published_warehouse (downstream of every dbt asset) does not
run, the previous BI copy stays, and the step fails with a summary naming each failed expectation.
"""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    Failure,
    MetadataValue,
    multi_asset_check,
)

from orchestration.assets.loading import WAREHOUSE_WRITER_POOL
from orchestration.quality import Outcome, load_suites
from orchestration.resources import FunnelSettings, step_writer_lock

QUALITY_CHECKS = "great_expectations"
SEVERITY = {"error": AssetCheckSeverity.ERROR, "warn": AssetCheckSeverity.WARN}


def _metadata(outcome: Outcome, data_docs: str | None) -> dict[str, Any]:
    """GE's own names (observed_value, partial_unexpected_list, ...) so the UI matches Data Docs."""
    metadata: dict[str, Any] = {
        "expectation": MetadataValue.text(outcome.spec.expectation),
        "kwargs": MetadataValue.json(outcome.kwargs),
        "severity": MetadataValue.text(outcome.spec.severity),
        "suite": MetadataValue.text(f"{outcome.spec.layer}.{outcome.spec.table.split('.')[-1]}"),
    }
    for key, value in outcome.details.items():
        if isinstance(value, (dict, list)):
            metadata[key] = MetadataValue.json(value)
        elif isinstance(value, bool) or value is None:
            metadata[key] = MetadataValue.text(str(value))
        elif isinstance(value, int):
            metadata[key] = MetadataValue.int(value)
        elif isinstance(value, float):
            metadata[key] = MetadataValue.float(value)
        else:
            metadata[key] = MetadataValue.text(str(value))
    if data_docs:
        metadata["data_docs"] = MetadataValue.path(data_docs)
    return metadata


def build_quality_checks(known_assets: Iterable[AssetKey]) -> AssetChecksDefinition:
    """One AssetCheckSpec per expectation of every suite; each must target an asset the code
    location defines (a renamed model fails here, loudly, instead of silently losing its checks)."""
    known = set(known_assets)
    tables = load_suites()
    specs = []
    for table in tables:
        key = AssetKey(list(table.asset))
        if key not in known:
            raise ValueError(
                f"quality suite table {table.table} targets unknown asset {key.to_user_string()}"
            )
        specs += [
            AssetCheckSpec(
                e.name,
                asset=key,
                blocking=e.severity == "error",
                description=f"{e.expectation} {dict(e.kwargs)} ({e.severity}, GE suite {table.suite_name})",
            )
            for e in table.expectations
        ]

    # can_subset: the UI can run the checks of one asset; only the tables behind them are read.
    @multi_asset_check(name=QUALITY_CHECKS, specs=specs, pool=WAREHOUSE_WRITER_POOL, can_subset=True)
    def great_expectations(
        context: AssetCheckExecutionContext, funnel: FunnelSettings
    ) -> Iterator[AssetCheckResult]:
        """Validate the staged and mart suites with Great Expectations and build Data Docs."""
        from orchestration.quality import run_quality
        from orchestration.quality.baseline import record_baseline

        selected = {(tuple(k.asset_key.path), k.name) for k in context.selected_asset_check_keys}
        chosen = [
            replace(t, expectations=tuple(e for e in t.expectations if (e.asset, e.name) in selected))
            for t in tables
        ]
        settings = funnel.get()
        with step_writer_lock(context, settings):
            report = run_quality(settings, [t for t in chosen if t.expectations])
        docs = str(report.data_docs_index) if report.data_docs_index else None
        context.log.info(report.summary())
        for outcome in report.outcomes:
            yield AssetCheckResult(
                asset_key=AssetKey(list(outcome.spec.asset)),
                check_name=outcome.spec.name,
                passed=outcome.success,
                severity=SEVERITY[outcome.spec.severity],
                metadata=_metadata(outcome, docs),
                description=None if outcome.success else outcome.describe(),
            )
        if not report.passed:
            raise Failure(
                description="Great Expectations error checks failed; the published copy was not replaced.\n"
                + report.summary(),
                metadata={
                    "failed": MetadataValue.md(report.summary()),
                    "data_docs": MetadataValue.path(docs or ""),
                },
            )
        # Only a passing run moves the row-count baseline (see quality/baseline.py).
        record_baseline(settings.dagster_home, settings.warehouse, report.row_counts, context.run.run_id)

    return great_expectations
