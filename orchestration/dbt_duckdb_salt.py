"""dbt-duckdb plugin (profiles.yml `plugins:`): hands the PII salt to DuckDB at connect time.

The salt is read from the dbt process's environment (DBT_ENV_SECRET_FUNNEL_PII_SALT, set by
Settings.dbt_env) and bound as a parameter of `set variable`, so it never appears in SQL text,
in dbt's manifest, compiled or run files, or its logs; the models read it with
getvariable('funnel_pii_salt') (macros/staging/hash_pii.sql). DuckDB variables belong to one
connection, and dbt-duckdb runs each model on a cursor (a connection of its own), hence both hooks.
Unset, nothing is set and hashing fails with the macro's error instead of hashing with null.

Imported by dbt only: it must stay free of the rest of the package.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

SECRET_VARIABLE = "DBT_ENV_SECRET_FUNNEL_PII_SALT"  # orchestration.pii_salt.DBT_SECRET_VARIABLE
SQL_VARIABLE = "funnel_pii_salt"


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        _set_salt(conn)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        _set_salt(cursor)


def _set_salt(conn: DuckDBPyConnection) -> None:
    salt = os.environ.get(SECRET_VARIABLE)
    if salt:
        conn.execute(f"set variable {SQL_VARIABLE} = ?", [salt])
