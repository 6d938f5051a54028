"""Running dbt against the warehouse, and preparing other engines (Spark) to read it."""

from orchestration.warehouse.dbt import PRODUCTION_BUILD_FLAGS, DbtError, run_dbt
from orchestration.warehouse.spark import export_raw_for_spark

__all__ = ["PRODUCTION_BUILD_FLAGS", "DbtError", "export_raw_for_spark", "run_dbt"]
