"""Running dbt against the warehouse, and preparing other engines (Spark) to read it."""

from orchestration.warehouse.dbt import DbtError, run_dbt
from orchestration.warehouse.spark import export_raw_for_spark

__all__ = ["DbtError", "export_raw_for_spark", "run_dbt"]
