"""The newest export the warehouse holds: one row (file, export time, age in hours), computed from
every raw table's lineage columns. _exported_at is the export date (a YYYY-MM-DD in the file's
path, else its modification time, see loader/source.py), so the age says how old the newest data
is, not merely when the loader last ran."""

from __future__ import annotations

import duckdb

from orchestration.loader import spec as loader_spec

NEWEST_EXPORT = "newest_export"  # the computed source's name in the suites


def newest_export_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SQL with one parameter (now, naive UTC) giving the newest export's file, time and age."""
    present = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name = ?",
            [loader_spec.RAW_SCHEMA],
        ).fetchall()
    }
    tables = [t for t in loader_spec.raw_table_schemas() if t in present]
    per_table = (
        " union all ".join(
            f"select max(_exported_at) as exported_at, arg_max(_source_file, _exported_at) as source_file "
            f"from {table}"
            for table in tables
        )
        or "select cast(null as timestamp) as exported_at, cast(null as varchar) as source_file"
    )
    return (
        "select arg_max(source_file, exported_at) as newest_export_file, "
        "max(exported_at) as newest_exported_at, "
        "date_diff('second', max(exported_at), cast(? as timestamp)) / 3600.0 as newest_export_age_hours "
        f"from ({per_table}) as per_table"
    )
