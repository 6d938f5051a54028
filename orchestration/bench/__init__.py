"""Benchmarks: generate a company of N leads, then time and measure each pipeline stage.

Every stage runs in its own child process so its peak memory (including dbt's and DuckDB's)
is measured on its own; see measure.py. `python -m orchestration.bench --help` runs it.
"""
