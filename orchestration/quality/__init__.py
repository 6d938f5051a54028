"""Great Expectations suites for the staged and mart layers.

suites/*.yml declare the expectations (spec.py reads them); runner.run_quality validates them on
the warehouse through GE's pandas path and builds Data Docs; assets/quality.py turns each
expectation into a Dagster asset check. GE itself is imported only inside runner/context functions.
"""

from .results import Outcome, QualityReport
from .spec import ExpectationSpec, TableSpec, load_suites

__all__ = ["ExpectationSpec", "Outcome", "QualityReport", "TableSpec", "load_suites", "run_quality"]


def run_quality(*args, **kwargs) -> QualityReport:  # noqa: ANN002, ANN003 - see runner.run_quality
    from .runner import run_quality as run

    return run(*args, **kwargs)
