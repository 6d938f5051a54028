"""What the report shows, read from the warehouse with read-only queries.

Each section tolerates a missing table (an older warehouse, or a mart not built yet) by
returning None, so the report always renders and says what it could not show.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd


@dataclass
class ReportData:
    ledger: pd.DataFrame
    quarantine: pd.DataFrame
    staged: pd.DataFrame
    person_funnel: pd.DataFrame | None
    deal_funnel: pd.DataFrame | None


def _query(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame | None:
    try:
        return con.execute(sql).df()
    except duckdb.CatalogException:
        return None


STAGED_ENTITIES = {
    "persons": ["stg_salesforce__leads", "stg_hubspot__contacts", "stg_generic__persons"],
    "deals": ["stg_salesforce__opportunities", "stg_hubspot__deals", "stg_generic__deals"],
    "touches": ["stg_marketing__touches", "stg_generic__touches"],
    "spend rows": ["stg_marketing__ad_spend", "stg_generic__spend"],
}


def _staged_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    existing = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        ).fetchall()
    }
    parts = [
        f"select '{entity}' as entity, source_system, count(*) as rows from staging.{model} group by source_system"
        for entity, models in STAGED_ENTITIES.items()
        for model in models
        if model in existing
    ]
    if not parts:
        return pd.DataFrame(columns=["entity", "source_system", "rows"])
    return con.execute(" union all ".join(parts) + " order by entity, source_system").df()


def read_report_data(warehouse: str) -> ReportData:
    with duckdb.connect(warehouse, read_only=True) as con:
        ledger = _query(
            con,
            """
            select source_file, status, rows_read, rows_loaded, rows_quarantined, message
            from loader.ledger
            where run_id = (select max(run_id) from loader.ledger)
            order by source_file
            """,
        )
        quarantine = _query(
            con,
            "select source_file, reason, count(*) as rows from loader.quarantine "
            "group by source_file, reason order by rows desc",
        )
        person_funnel = _query(
            con,
            """
            select source_system, stage, stage_order, sum(entities_reached) as reached
            from marts.fct_funnel_cohort
            where entity_type = 'person' and segment_type = 'all' and period_grain = 'month'
            group by source_system, stage, stage_order
            order by source_system, stage_order
            """,
        )
        deal_funnel = _query(
            con,
            """
            select source_system, stage, stage_order, sum(entities_reached) as reached
            from marts.fct_funnel_cohort
            where entity_type = 'deal' and segment_type = 'all' and period_grain = 'month'
            group by source_system, stage, stage_order
            order by source_system, stage_order
            """,
        )
        return ReportData(
            ledger=ledger if ledger is not None else pd.DataFrame(),
            quarantine=quarantine if quarantine is not None else pd.DataFrame(),
            staged=_staged_counts(con),
            person_funnel=person_funnel,
            deal_funnel=deal_funnel,
        )
