{{
    config(
        materialized='incremental',
        incremental_strategy=refresh_strategy(),
        unique_key=(none if target.type == 'spark' else 'snapshot_month'),
        partition_by=(['snapshot_month'] if target.type == 'spark' else none),
        on_schema_change='fail'
    )
}}

with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

spells as (

    select * from {{ ref('int_deal_spells') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

days as (

    {{ pipeline_day_spine() }}

),

bounds as (

    select
        min(deals.created_date) as first_date,
        max(as_of.as_of_date) as as_of_date
    from deals
    cross join as_of

),

-- open stays only; the amount is the deal's current one (history has no amount); the weight is
-- the deal's CRM probability for its current stay and the stage's seeded default probability for
-- past stays (the CRM's probability at the time is not in the stage history)
open_spells as (

    select
        spells.source_system,
        spells.pipeline,
        spells.stage,
        {{ pipeline_business_date('spells.entered_at') }} as entered_date,
        {{ pipeline_business_date('spells.exited_at') }} as exited_date,
        deals.amount_reporting,
        -- exact decimal (cents x probability to 8 places): a running sum of doubles depends on the
        -- engine's summation order and flips cent rounding at half-cent boundaries (Spark vs DuckDB)
        cast(deals.amount_reporting * case
            when spells.is_current then coalesce(deals.probability, definitions.default_probability)
            else definitions.default_probability
        end as decimal(28, 8)) as weighted_amount
    from spells
    inner join deals
        on spells.deal_key = deals.deal_key
    left join stage_definitions as definitions
        on definitions.entity_type = 'deal'
        and spells.stage = definitions.stage
    where not coalesce(definitions.is_closed, false)

),

-- a stay counts at the end of each day from its entry day to the day before its exit day:
-- +1 on the entry day, -1 on the exit day, then a running sum (no per-deal-per-day rows)
deltas as (

    select
        source_system,
        pipeline,
        stage,
        entered_date as day,
        count(*) as deal_delta,
        sum(amount_reporting) as amount_delta,
        sum(weighted_amount) as weighted_delta
    from open_spells
    group by source_system, pipeline, stage, entered_date

    union all

    select
        source_system,
        pipeline,
        stage,
        exited_date as day,
        -1 * count(*) as deal_delta,
        -1 * sum(amount_reporting) as amount_delta,
        -1 * sum(weighted_amount) as weighted_delta
    from open_spells
    where exited_date is not null
    group by source_system, pipeline, stage, exited_date

),

daily_deltas as (

    select
        source_system,
        pipeline,
        stage,
        day,
        sum(deal_delta) as deal_delta,
        sum(amount_delta) as amount_delta,
        sum(weighted_delta) as weighted_delta
    from deltas
    group by source_system, pipeline, stage, day

),

stage_keys as (

    select distinct source_system, pipeline, stage
    from open_spells

),

grid as (

    select
        days.day,
        stage_keys.source_system,
        stage_keys.pipeline,
        stage_keys.stage
    from days
    cross join bounds
    cross join stage_keys
    where days.day >= bounds.first_date
        and days.day <= bounds.as_of_date

),

-- running totals over all history (cheap: deltas are already aggregated per day and stage)
running as (

    select
        grid.day,
        grid.source_system,
        grid.pipeline,
        grid.stage,
        sum(coalesce(daily_deltas.deal_delta, 0)) over (
            partition by grid.source_system, grid.pipeline, grid.stage
            order by grid.day
            rows between unbounded preceding and current row
        ) as open_deals,
        sum(coalesce(daily_deltas.amount_delta, 0)) over (
            partition by grid.source_system, grid.pipeline, grid.stage
            order by grid.day
            rows between unbounded preceding and current row
        ) as open_amount,
        sum(coalesce(daily_deltas.weighted_delta, 0)) over (
            partition by grid.source_system, grid.pipeline, grid.stage
            order by grid.day
            rows between unbounded preceding and current row
        ) as weighted_amount
    from grid
    left join daily_deltas
        on grid.source_system = daily_deltas.source_system
        and grid.pipeline = daily_deltas.pipeline
        and grid.stage = daily_deltas.stage
        and grid.day = daily_deltas.day

),

computed as (

    select
        running.day,
        running.source_system,
        running.pipeline,
        running.stage,
        definitions.stage_order,
        running.open_deals,
        -- rounded to cents: a running sum of doubles must not leave 1e-10 residues on empty stages
        cast(round(running.open_amount, 2) as double) as open_amount,
        cast(round(running.weighted_amount, 2) as double) as weighted_amount,
        cast({{ dbt.date_trunc('month', 'running.day') }} as date) as snapshot_month
    from running
    left join stage_definitions as definitions
        on definitions.entity_type = 'deal'
        and running.stage = definitions.stage

),
{% if is_incremental() %}

stored as (

    select
        day,
        source_system,
        pipeline,
        stage,
        stage_order,
        open_deals,
        open_amount,
        weighted_amount
    from {{ this }}

),

-- the days whose row differs from the stored one (added, removed or changed): late history,
-- a deal's new amount or probability, a new as-of date or changed seeds all show up here, so a
-- refresh rewrites exactly from the first changed day's month on (no lookback to guess)
changed_days as (

    select coalesce(computed.day, stored.day) as day
    from computed
    full outer join stored
        on computed.day = stored.day
        and computed.source_system = stored.source_system
        and computed.pipeline = stored.pipeline
        and computed.stage = stored.stage
    where computed.day is null
        or stored.day is null
        or computed.open_deals <> stored.open_deals
        or coalesce(computed.stage_order, -1) <> coalesce(stored.stage_order, -1)
        or abs(computed.open_amount - stored.open_amount) >= 0.005
        or abs(computed.weighted_amount - stored.weighted_amount) >= 0.005

),

reprocess_from as (

    select cast({{ dbt.date_trunc('month', 'min(day)') }} as date) as from_date
    from changed_days

),
{% endif %}

final as (

    select
        computed.day,
        computed.source_system,
        computed.pipeline,
        computed.stage,
        computed.stage_order,
        computed.open_deals,
        computed.open_amount,
        computed.weighted_amount,
        computed.snapshot_month
    from computed
    {% if is_incremental() %}
    cross join reprocess_from
    where computed.day >= reprocess_from.from_date
    {% endif %}

)

select
    day,
    source_system,
    pipeline,
    stage,
    stage_order,
    open_deals,
    open_amount,
    weighted_amount,
    snapshot_month
from final
