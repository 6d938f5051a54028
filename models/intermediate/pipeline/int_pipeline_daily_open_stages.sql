with

deltas as (

    select * from {{ ref('int_pipeline_daily_deltas') }}

),

deals as (

    select * from {{ ref('int_deals_enriched') }}

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

-- every open stay's stage key (each stay has an entry-day delta, so its key is in the deltas)
stage_keys as (

    select distinct source_system, pipeline, stage
    from deltas

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
        sum(coalesce(deltas.deal_delta, 0)) over (
            partition by grid.source_system, grid.pipeline, grid.stage
            order by grid.day
            rows between unbounded preceding and current row
        ) as open_deals,
        sum(coalesce(deltas.amount_delta, 0)) over (
            partition by grid.source_system, grid.pipeline, grid.stage
            order by grid.day
            rows between unbounded preceding and current row
        ) as open_amount,
        sum(coalesce(deltas.weighted_delta, 0)) over (
            partition by grid.source_system, grid.pipeline, grid.stage
            order by grid.day
            rows between unbounded preceding and current row
        ) as weighted_amount
    from grid
    left join deltas
        on grid.source_system = deltas.source_system
        and grid.pipeline = deltas.pipeline
        and grid.stage = deltas.stage
        and grid.day = deltas.day

)

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
