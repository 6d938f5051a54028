"""What the report shows, read from the warehouse with read-only, set-based queries.

Every query aggregates in DuckDB and returns a small frame (tens to a few hundred rows), never a
whole table. A query whose table is missing (an older warehouse, a mart not built yet) gives None,
so the report always renders and says what it could not show.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta

import duckdb
import pandas as pd

from orchestration.report.headline import HEADLINE

# The first won stage of each entity type in the default stage model (seeds/stage_definitions.csv):
# "conversion by segment" is the share of a segment's funnel entrants that got this far.
WON_STAGE = {"person": "customer", "deal": "closed_won"}

# Rows of the longest tables the report prints: enough to act on, small enough to read.
TABLE_ROWS = 15
RECENT_MONTHS = 6


@dataclass
class ReportData:
    as_of: pd.DataFrame | None
    headline: pd.DataFrame | None
    ledger: pd.DataFrame | None
    quarantine: pd.DataFrame | None
    staged: pd.DataFrame | None
    person_funnel: pd.DataFrame | None
    deal_funnel: pd.DataFrame | None
    segment_conversion: pd.DataFrame | None
    bottleneck_counts: pd.DataFrame | None
    recent_bottlenecks: pd.DataFrame | None
    velocity: pd.DataFrame | None
    stage_board: pd.DataFrame | None
    forecast_backtest: pd.DataFrame | None
    forecast_accuracy: pd.DataFrame | None
    stale_reasons: pd.DataFrame | None
    stale_deals: pd.DataFrame | None
    rep_performance: pd.DataFrame | None
    mql_sla: pd.DataFrame | None
    high_score_never_mql: pd.DataFrame | None
    aida: pd.DataFrame | None
    tofu_mofu_bofu: pd.DataFrame | None
    touch_phases: pd.DataFrame | None


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame | None:
    try:
        return con.execute(sql, params).df()
    except (duckdb.CatalogException, duckdb.BinderException):
        # a table, or a column (dim_owners.owner_name), that an older warehouse does not have yet
        return None


# How the report names a rep: the name dim_owners carries, else the CRM id (no name in the export,
# or names hashed by hash_owner_names: a hashed name equals name_hash and tells a reader nothing).
# Two reps of one source with the same name get their id beside it, so their bars never merge.
OWNER_LABELS = """
    owner_labels as (
        select
            owner_key,
            case
                when owner_name is null or owner_name = name_hash then owner_id
                when count(*) over (partition by source_system, owner_name) > 1
                    then owner_name || ' (' || owner_id || ')'
                else owner_name
            end as owner_label
        from marts.dim_owners
    )
"""


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


def _funnel_sql(entity_type: str) -> str:
    """Reached per canonical stage, all monthly cohorts and pipelines of a source pooled."""
    return f"""
        select source_system, stage, stage_order, sum(entities_reached) as reached
        from marts.fct_funnel_cohort
        where entity_type = '{entity_type}' and segment_type = 'all' and period_grain = 'month'
        group by source_system, stage, stage_order
        order by source_system, stage_order
    """


# Owner and manager cuts are labelled with the rep's name (OWNER_LABELS), the other cuts as they are.
SEGMENT_CONVERSION = f"""
    with {OWNER_LABELS},

    labelled as (
        select
            cohort.*,
            coalesce(owner_labels.owner_label, cohort.segment_value) as segment_label
        from marts.fct_funnel_cohort as cohort
        left join owner_labels
            on cohort.segment_type in ('owner', 'manager') and cohort.segment_value = owner_labels.owner_key
        where cohort.period_grain = 'month' and cohort.segment_type <> 'all'
    )

    select
        entity_type,
        segment_type,
        segment_label as segment_value,
        source_system,
        sum(case when previous_stage is null then entities_reached else 0 end) as entered,
        sum(case when stage = case entity_type when 'person' then '{WON_STAGE["person"]}'
                                              else '{WON_STAGE["deal"]}' end
                 then entities_reached else 0 end) as reached_won
    from labelled
    group by entity_type, segment_type, segment_label, source_system
    having sum(case when previous_stage is null then entities_reached else 0 end) > 0
    order by entity_type desc, segment_type, segment_label, source_system
"""

# The bottleneck lists and the velocity trend take only complete months (`period_start < ?`, the
# parameter from complete_months_before): a partial as-of month is a young cohort that reads as a
# bottleneck at conversion 0, and a velocity month whose wins are half in.
BOTTLENECK_COUNTS = """
    select
        entity_type,
        source_system,
        bottleneck_from_stage || ' → ' || bottleneck_stage as step,
        count(*) as months,
        avg(bottleneck_conversion_gap) as mean_gap
    from marts.fct_funnel_bottlenecks
    where segment_type = 'all' and bottleneck_stage is not null and period_start < ?
    group by entity_type, source_system, bottleneck_from_stage, bottleneck_stage
    order by entity_type desc, source_system, months desc
"""

RECENT_BOTTLENECKS = f"""
    with ranked as (
        select
            *,
            dense_rank() over (order by period_start desc) as month_rank
        from marts.fct_funnel_bottlenecks
        where segment_type = 'all' and period_start < ?
    )
    select
        period_start as cohort_month,
        source_system,
        entity_type,
        pipeline,
        coalesce(bottleneck_from_stage || ' → ' || bottleneck_stage, 'none below baseline') as bottleneck_step,
        round(bottleneck_conversion, 3) as conversion,
        round(bottleneck_baseline_conversion, 3) as baseline,
        drop_off_from_stage || ' → ' || drop_off_stage as largest_drop_off_step,
        drop_off_entities as entities_dropped
    from ranked
    where month_rank <= 3
    order by cohort_month desc, source_system, entity_type desc, pipeline
    limit {TABLE_ROWS * 2}
"""

VELOCITY = """
    select
        source_system,
        window_start,
        open_qualified_deals,
        win_rate,
        average_deal_size,
        sales_cycle_days_mean,
        pipeline_velocity
    from marts.fct_pipeline_velocity
    where window_type = 'month' and segment_type = 'all' and window_start < ?
    order by source_system, window_start
"""

STAGE_BOARD = """
    select
        source_system,
        stage,
        min(stage_order) as stage_order,
        sum(open_deals) as open_deals,
        sum(total_amount) as total_amount,
        sum(total_amount) / sum(open_deals) as average_amount
    from marts.fct_stage_board
    where segment_type = 'all'
    group by source_system, stage
    order by source_system, stage_order
"""

FORECAST_BACKTEST = """
    select
        source_system,
        forecast_date,
        is_mature,
        open_deals,
        expected_eventual_wins,
        actual_eventual_wins,
        expected_next_month_wins,
        actual_next_month_wins
    from marts.fct_forecast_backtest
    where segment_type = 'all'
    order by source_system, forecast_date
"""

FORECAST_ACCURACY = """
    select
        source_system,
        horizon,
        scored_points,
        first_forecast_date,
        last_forecast_date,
        round(expected_wins, 1) as expected_wins,
        actual_wins,
        round(bias_wins, 3) as bias_wins,
        round(mape_wins, 3) as mape_wins
    from marts.fct_forecast_backtest_accuracy
    where segment_type = 'all'
    order by source_system, horizon
"""

STALE_REASONS = """
    select
        source_system,
        count(*) as stale_deals,
        sum(case when is_over_stage_p90 then 1 else 0 end) as over_stage_p90,
        sum(case when is_past_expected_close then 1 else 0 end) as past_expected_close,
        sum(case when is_low_probability then 1 else 0 end) as low_probability,
        sum(amount_reporting) as stale_amount
    from marts.fct_stale_deals
    group by source_system
    order by source_system
"""

STALE_DEALS = f"""
    with {OWNER_LABELS}

    select
        stale.source_system,
        stale.deal_id,
        stale.pipeline,
        stale.current_stage,
        coalesce(owner_labels.owner_label, stale.owner_key) as owner,
        round(stale.amount_reporting) as amount,
        round(stale.days_in_current_stage, 1) as days_in_stage,
        round(stale.stage_days_p90, 1) as stage_p90_days,
        stale.expected_close_date,
        stale.reasons
    from marts.fct_stale_deals as stale
    left join owner_labels
        on stale.owner_key = owner_labels.owner_key
    order by stale.amount_reporting desc nulls last, stale.deal_key
    limit {TABLE_ROWS}
"""

# Rep performance (docs/metrics.md): the reps with the most revenue, each named with its manager.
# Money in whole units: cents add width, not information, to a 15-column table.
REP_PERFORMANCE = f"""
    with {OWNER_LABELS}

    select
        reps.source_system,
        coalesce(rep_labels.owner_label, reps.level_value) as rep,
        coalesce(manager_labels.owner_label, owners.manager_id) as manager,
        owners.team,
        owners.region,
        reps.leads_owned,
        round(reps.conversions_per_100_leads, 1) as conversions_per_100_leads,
        reps.deals_won,
        reps.deals_lost,
        round(reps.win_rate, 3) as win_rate,
        round(reps.revenue) as revenue,
        round(reps.average_deal_size) as average_deal_size,
        round(reps.sales_cycle_days_median, 1) as median_sales_cycle_days,
        reps.open_deals,
        round(reps.open_pipeline_amount) as open_pipeline
    from marts.fct_rep_performance as reps
    left join owner_labels as rep_labels
        on reps.level_value = rep_labels.owner_key
    left join marts.dim_owners as owners
        on reps.level_value = owners.owner_key
    left join owner_labels as manager_labels
        on owners.manager_key = manager_labels.owner_key
    where reps.level = 'owner'
    order by reps.revenue desc, reps.source_system, rep
    limit {TABLE_ROWS}
"""

MQL_SLA = """
    select source_system, sla_status, count(*) as mqls, max(sla_hours) as sla_hours
    from marts.fct_mql_sla
    group by source_system, sla_status
    order by source_system, sla_status
"""

HIGH_SCORE_NEVER_MQL = """
    select
        source_system,
        count(*) as high_score_never_mql,
        sum(case when is_disqualified then 1 else 0 end) as of_which_disqualified
    from marts.fct_high_score_never_mql
    group by source_system
    order by source_system
"""


TOUCH_PHASES = """
    select channel, aida_phase, sum(touches) as touches
    from marts.fct_touch_phases
    group by channel, aida_phase
    order by channel, aida_phase
"""


def _phase_funnel_sql(table: str, framework: str) -> str:
    """Persons reaching each phase, all cohort months pooled (channel 'all' is the total)."""
    return f"""
        select source_system, phase, phase_order, sum(persons_reached) as reached
        from marts.{table}
        where framework = '{framework}' and channel = 'all'
        group by source_system, phase, phase_order
        order by source_system, phase_order
    """


AS_OF = "select as_of_date from intermediate.int_as_of"


def partial_month_start(as_of_date: date | None) -> date | None:
    """The first day of the as-of's month while that month is partial (the as-of is not its last day)."""
    if as_of_date is None:
        return None
    month_start = as_of_date.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    return month_start if as_of_date < next_month - timedelta(days=1) else None


def complete_months_before(as_of_date: date | None) -> date:
    """Months starting before this day are complete at the as-of (no as-of known: every month)."""
    if as_of_date is None:
        return date.max
    partial = partial_month_start(as_of_date)
    return partial if partial else (as_of_date.replace(day=1) + timedelta(days=32)).replace(day=1)


def _as_of(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The as-of date and, while its month is partial, that month's first day (else null)."""
    frame = _query(con, AS_OF)
    if frame is None or frame.empty:
        return frame
    as_of_date = pd.Timestamp(frame["as_of_date"].iloc[0]).date()
    return pd.DataFrame(
        {"as_of_date": [as_of_date], "partial_month_start": [partial_month_start(as_of_date)]}
    )


def read_report_data(warehouse: str) -> ReportData:
    with duckdb.connect(warehouse, read_only=True) as con:
        as_of = _as_of(con)
        cutoff = [
            complete_months_before(None if as_of is None or as_of.empty else as_of["as_of_date"].iloc[0])
        ]
        return ReportData(
            as_of=as_of,
            headline=_query(con, HEADLINE),
            ledger=_query(
                con,
                """
                select source_file, status, rows_read, rows_loaded, rows_quarantined, message
                from loader.ledger
                where run_id = (select max(run_id) from loader.ledger)
                order by source_file
                """,
            ),
            quarantine=_query(
                con,
                "select source_file, reason, count(*) as rows from loader.quarantine "
                "group by source_file, reason order by rows desc, source_file, reason",
            ),
            staged=_staged_counts(con),
            person_funnel=_query(con, _funnel_sql("person")),
            deal_funnel=_query(con, _funnel_sql("deal")),
            segment_conversion=_query(con, SEGMENT_CONVERSION),
            bottleneck_counts=_query(con, BOTTLENECK_COUNTS, cutoff),
            recent_bottlenecks=_query(con, RECENT_BOTTLENECKS, cutoff),
            velocity=_query(con, VELOCITY, cutoff),
            stage_board=_query(con, STAGE_BOARD),
            forecast_backtest=_query(con, FORECAST_BACKTEST),
            forecast_accuracy=_query(con, FORECAST_ACCURACY),
            stale_reasons=_query(con, STALE_REASONS),
            stale_deals=_query(con, STALE_DEALS),
            rep_performance=_query(con, REP_PERFORMANCE),
            mql_sla=_query(con, MQL_SLA),
            high_score_never_mql=_query(con, HIGH_SCORE_NEVER_MQL),
            aida=_query(con, _phase_funnel_sql("fct_aida_funnel", "aida")),
            tofu_mofu_bofu=_query(con, _phase_funnel_sql("fct_tofu_mofu_bofu", "funnel_position")),
            touch_phases=_query(con, TOUCH_PHASES),
        )


def empty_report_data() -> ReportData:
    """A warehouse with nothing in it: every section absent (the report must still render)."""
    return ReportData(**{field.name: None for field in fields(ReportData)})
