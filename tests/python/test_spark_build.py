"""`dbt build --target spark` on the demo exports: every model and test passes on local Spark, the
staged tables Spark writes hold the same rows as DuckDB's, and every mart (each .sql under
models/marts, so a new mart is compared without touching this file) holds the same rows on both
engines: same count, equal values, floats within 1e-6 relative, timestamps the same instant.

Spark builds twice: first the incremental models (and what they read) without a third of the
growing tables' rows (touches, email events, lead and opportunity history), then everything,
incrementally, with all of them, so its marts are an incremental
refresh with late history compared with DuckDB's full build. The second load also brings what a
CRM's next export does to deals already built: one deleted (IsDeleted), one moved to another owner,
and a mapping file that re-labels a stage of the generic CRM. Both builds get the same var
as_of_timestamp: without it open spells and ages run to each engine's
own clock, and the two builds, minutes apart, would differ for a reason that is not a defect.

The generator writes no implausible values, so some opportunities are given a close date before
their created date (as historical deals imported into Salesforce have): fct_data_quality_flags and
the marts' handling of negative cycles are then compared on rows, not on empty tables."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import settings_in
from table_compare import rows_equal, sorted_rows, values_equal

from orchestration.settings import PROJECT_DIR
from orchestration.warehouse import export_raw_for_spark, run_dbt

pytestmark = [pytest.mark.spark, pytest.mark.timeout(3600)]

# The instant "now" for both engines: the demo generator's export date, end of day.
PINNED_VARS = {"as_of_timestamp": "2025-06-30 23:59:59"}
FLOAT_REL_TOL = 1e-6
MARTS = sorted(p.stem for p in (PROJECT_DIR / "models" / "marts").rglob("*.sql"))

# Staged tables compared between engines: count and sum of a money column where there is one.
COMPARED = {
    "stg_salesforce__leads": None,
    "stg_salesforce__opportunities": "amount_reporting",
    "stg_hubspot__contacts": None,
    "stg_hubspot__deals": "amount_reporting",
    "stg_generic__persons": None,
    "stg_generic__deals": "amount_reporting",
    "stg_marketing__touches": None,
    "stg_marketing__ad_spend": "cost_reporting",
}


@pytest.fixture(scope="module")
def spark_build(built_demo, tmp_path_factory):  # noqa: ANN001, ANN201 - Settings from conftest
    """The loaded demo warehouse, rebuilt on DuckDB and built on Spark with the same pinned vars."""
    if shutil.which("java") is None:
        pytest.fail("Java is required for the Spark build: run `make test`, which installs it")
    settings = settings_in(tmp_path_factory.mktemp("spark_vs_duckdb"))
    shutil.copyfile(built_demo.warehouse, settings.warehouse)
    _close_some_deals_before_created(settings.warehouse)
    late = _mark_late_rows(settings.warehouse)
    _late_crm_changes(settings.warehouse, late)
    pinned = ["--vars", json.dumps(PINNED_VARS)]
    run_dbt(settings, ["run", "--full-refresh", *pinned], target="duckdb")
    # Spark first builds without the late rows, then refreshes incrementally with everything: the
    # marts compared below are then Spark's incremental refresh against DuckDB's full build
    early = settings_in(tmp_path_factory.mktemp("spark_early"))
    shutil.copyfile(settings.warehouse, early.warehouse)
    with duckdb.connect(str(early.warehouse)) as con:
        for table in (*LATE_TABLES, LATE_STAGE_LABELS):
            con.execute(f"delete from {table} where _loaded_at > ?", [late])
    export_raw_for_spark(early.warehouse, settings.raw_parquet_dir)
    # the incremental models and what they read, without tests: with a third of the history held
    # back the data tests need not hold, and every other model is rebuilt by the second build anyway
    first = ["--select", "+config.materialized:incremental", "--exclude-resource-type", "test"]
    run_dbt(settings, ["build", *first, "--exclude-resource-type", "unit_test", *pinned], target="spark")
    export_raw_for_spark(settings.warehouse, settings.raw_parquet_dir)
    run_dbt(settings, ["build", *pinned], target="spark")  # unit tests too: the SQL on Spark
    return settings


# Raw tables read by incremental models: by entity (lead and opportunity snapshots,
# macros/incremental/entity_refresh.sql) and by month (macros/incremental/month_refresh.sql).
LATE_TABLES = (
    "raw.salesforce__lead",
    "raw.salesforce__opportunity",
    "raw.marketing__touches",
    "raw.marketing__email_events",
    "raw.salesforce__lead_history",
    "raw.salesforce__opportunity_history",
)


LATE_STAGE_LABELS = "raw.generic__stage_labels"
RELABELLED = ("Meeting", "consideration")  # a generic CRM label, and the stage it now means


def _late_crm_changes(warehouse: Path, late: datetime) -> None:
    """A later Opportunity export of two won deals (one deleted, one moved to the owner of another
    won deal) and a mapping file's stage label, all loaded after the first build's watermark."""
    label, stage = RELABELLED
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create temp table newest_won as select * from raw.salesforce__opportunity where iswon = '1' "
            "qualify row_number() over (partition by id order by lastmodifieddate desc, _row_number desc) = 1"
        )
        deleted, moved, owner = con.execute(
            "select deleted.id, moved.id, (select min(ownerid) from newest_won where ownerid <> moved.ownerid) "
            "from newest_won as deleted, newest_won as moved "
            "where deleted.id = (select min(id) from newest_won) "
            "and moved.id = (select min(id) from newest_won where id <> deleted.id)"
        ).fetchone()
        modified = "timestamp '2025-06-30 10:00:00'"
        export = {
            "_file_hash": "'late-crm-changes'",
            "_loaded_at": f"timestamp '{late}' + interval 2 hour",
            "lastmodifieddate": modified,
            "systemmodstamp": modified,
        }
        changes = [(deleted, {"isdeleted": "'1'"}), (moved, {"ownerid": f"'{owner}'"})]
        for number, (deal, change) in enumerate(changes, start=1):
            replaced = {**export, **change, "_row_number": str(number)}
            columns = ", ".join(f"{value} as {name}" for name, value in replaced.items())
            con.execute(
                f"insert into raw.salesforce__opportunity by name "
                f"select * replace ({columns}) from newest_won where id = ?",
                [deal],
            )
        con.execute(
            f"insert into {LATE_STAGE_LABELS} (pipeline, raw_label, stage, _source_system, _source_file, "
            "_file_hash, _row_number, _exported_at, _loaded_at, _run_id) values "
            "('*', ?, ?, 'generic', 'late/mapping.yml', 'late-mapping', 1, ?, ?, 'late-run')",
            [label, stage, late, late + timedelta(hours=2)],
        )


def _close_some_deals_before_created(warehouse: Path) -> None:
    """One opportunity version in 40 closes 30 days before it was created (an imported deal)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw.salesforce__opportunity set closedate = cast(createddate as date) - interval 30 day "
            "where _row_number % 40 = 7 and createddate is not null"
        )
        changed = con.execute(
            "select count(*) from raw.salesforce__opportunity where closedate < cast(createddate as date)"
        ).fetchone()[0]
    assert changed > 0


def _mark_late_rows(warehouse: Path) -> datetime:
    """Make a third of each growing table's rows arrive an hour after the rest (by _loaded_at,
    which decides nothing but the refresh watermark) and return the first load's time."""
    with duckdb.connect(str(warehouse)) as con:
        first = max(
            con.execute(f"select max(_loaded_at) from {table}").fetchone()[0] for table in LATE_TABLES
        )
        for table in LATE_TABLES:
            con.execute(
                f"update {table} set _loaded_at = _loaded_at + interval 1 hour where _row_number % 3 = 0"
            )
            assert (
                con.execute(f"select count(*) from {table} where _loaded_at > ?", [first]).fetchone()[0] > 0
            )
    return first


def _spark_table(settings, schema: str, table: str) -> str:  # noqa: ANN001
    """The Parquet files Spark wrote for a table; a partitioned table (fct_pipeline_daily, by month)
    keeps its partition column in folder names, read back with hive_partitioning."""
    path = Path(settings.spark_dir) / "warehouse" / f"{schema}.db" / table
    assert path.exists(), f"Spark wrote no files for {schema}.{table} at {path}"
    if any(child.is_dir() for child in path.iterdir()):
        return f"read_parquet('{path}/**/*.parquet', hive_partitioning = true)"
    return f"read_parquet('{path}/*.parquet')"


def _spark_relation(settings, con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str:  # noqa: ANN001
    """What Spark holds for a model: its Parquet files, or for a view (a mart that publishes an
    intermediate model's rows as they are: no files of its own) the view's definition read over
    the Parquet files of the intermediate tables it selects from."""
    view = con.execute(
        "select sql from duckdb_views() where schema_name = ? and view_name = ?", [schema, name]
    ).fetchone()
    if view is None:
        return _spark_table(settings, schema, name)
    body = view[0].split(" AS ", 1)[1].rstrip().rstrip(";")
    over_spark = re.sub(
        r"\bintermediate\.(\w+)", lambda match: _spark_table(settings, "intermediate", match[1]), body
    )
    return f"({over_spark})"


@pytest.mark.parametrize("model", sorted(COMPARED))
def test_spark_stages_the_same_rows_as_duckdb(spark_build, model: str) -> None:  # noqa: ANN001
    money = COMPARED[model]
    measure = f", sum({money})" if money else ""
    with duckdb.connect(str(spark_build.warehouse), read_only=True) as con:
        on_duckdb = con.execute(f"select count(*){measure} from staging.{model}").fetchone()
        on_spark = con.execute(
            f"select count(*){measure} from {_spark_table(spark_build, 'staging', model)}"
        ).fetchone()
    assert on_spark == on_duckdb


def test_every_mart_is_compared() -> None:
    """The enumeration itself: a glob that found nothing would make the comparison vacuous."""
    assert {"fct_funnel_cohort", "fct_pipeline_velocity", "fct_forecast_backtest"} <= set(MARTS)


def test_the_late_crm_changes_reach_the_compared_marts(spark_build) -> None:  # noqa: ANN001
    """The deletion, the new owner and the re-labelled stage are in DuckDB's build (a label still
    meaning its seed stage would not enter `consideration`), whose marts every Spark mart equals
    (below): so Spark's refresh took them too."""
    label, stage = RELABELLED
    with duckdb.connect(str(spark_build.warehouse), read_only=True) as con:
        (deleted, deleted_flag), (moved, owner) = con.execute(
            "select id, case when isdeleted = '1' then 'deleted' else ownerid end "
            "from raw.salesforce__opportunity where _file_hash = 'late-crm-changes' order by _row_number"
        ).fetchall()
        assert deleted_flag == "deleted"
        in_marts = dict(
            con.execute(
                "select deal_id, owner_key from marts.dim_deals where source_system = 'salesforce' "
                "and deal_id in (?, ?)",
                [deleted, moved],
            ).fetchall()
        )
        owner_key = con.execute(
            "select owner_key from intermediate.int_owners where source_system = 'salesforce' and owner_id = ?",
            [owner],
        ).fetchone()[0]
        relabelled = con.execute(
            "select count(*) from intermediate.int_deal_stage_entries as entries "
            "inner join intermediate.int_deals as deals using (deal_key) "
            "where deals.source_system = 'generic' and entries.stage = ? and entries.stage_label = ?",
            [stage, label],
        ).fetchone()[0]
    assert deleted not in in_marts
    assert in_marts[moved] == owner_key
    assert relabelled > 0


@pytest.mark.parametrize("model", MARTS)
def test_spark_builds_every_mart_row_for_row_like_duckdb(spark_build, model: str) -> None:  # noqa: ANN001
    with duckdb.connect(str(spark_build.warehouse), read_only=True) as con:
        duck_columns = _columns(con, f"marts.{model}")
        spark_relation = _spark_relation(spark_build, con, "marts", model)
        spark_columns = _columns(con, spark_relation)
        # Same columns; a partition column comes last on Spark, so both are read in DuckDB's order.
        assert sorted(spark_columns) == sorted(duck_columns), f"{model}: columns differ"
        on_duckdb = _rows(con, f"marts.{model}", duck_columns, spark_columns)
        on_spark = _rows(con, spark_relation, {c: spark_columns[c] for c in duck_columns}, duck_columns)
    assert len(on_spark) == len(on_duckdb), (
        f"{model}: {len(on_spark)} rows on Spark, {len(on_duckdb)} on DuckDB"
    )
    assert on_duckdb, f"{model} is empty on both engines: the comparison would prove nothing"
    differences = [
        (index, duck_row, spark_row)
        for index, (duck_row, spark_row) in enumerate(zip(on_duckdb, on_spark, strict=True))
        if not rows_equal(duck_row, spark_row, FLOAT_REL_TOL)
    ]
    shown = "\n".join(
        f"  sorted row {i}: "
        + ", ".join(
            f"{name}: duckdb={d!r} spark={s!r}"
            for name, d, s in zip(duck_columns, duck_row, spark_row, strict=True)
            if not values_equal(d, s, FLOAT_REL_TOL)
        )
        for i, duck_row, spark_row in differences[:5]
    )
    assert not differences, f"{model}: {len(differences)} of {len(on_duckdb)} rows differ\n{shown}"


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name -> DuckDB type of a relation, in its order."""
    return {name: kind for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()}


def _rows(con, relation: str, columns: dict[str, str], other: dict[str, str]) -> list[tuple]:  # noqa: ANN001
    """Every row, sorted by a key that float noise cannot reorder. Decimals are read at the larger
    scale of the two engines (Spark widens decimal results), so they compare exactly."""
    selected = []
    for name, kind in columns.items():
        if kind.startswith("DECIMAL") and other[name].startswith("DECIMAL"):
            scale = max(_decimal_scale(kind), _decimal_scale(other[name]))
            selected.append(f"cast({name} as decimal(38, {scale})) as {name}")
        else:
            selected.append(name)
    return sorted_rows(con, relation, selected)


def _decimal_scale(kind: str) -> int:
    return int(kind.split(",")[1].rstrip(")").strip())
