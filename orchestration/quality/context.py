"""An ephemeral Great Expectations context: suites and results live in memory for one run, and the
only thing written to disk is the Data Docs site, rebuilt in the configured folder (FUNNEL_DATA_DOCS)
on every run. No great_expectations.yml, no gx/ folder in the project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOCS_SITE = "funnel"


def ephemeral_context(data_docs_dir: Path) -> Any:
    """A GE EphemeralDataContext whose only Data Docs site is `data_docs_dir` (GE imported here)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    data_docs_dir.mkdir(parents=True, exist_ok=True)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,  # no usage reports from a pipeline (and there is no network)
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    # get_context (not the class) also registers it as GE's active context, which suites need.
    return gx.get_context(project_config=config, mode="ephemeral")


def build_data_docs(context: Any, data_docs_dir: Path) -> Path:
    context.build_data_docs(site_names=[DOCS_SITE])
    return data_docs_dir / "index.html"
