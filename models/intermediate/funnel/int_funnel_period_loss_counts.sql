{#- Entities lost within a period (the move into the exit) at the stage they left, per period grain
    and segment cut: the losses of fct_funnel_period. Only stages someone was lost at appear here. -#}
{#- A view: its rows are read only by fct_funnel_period. -#}
{{ config(materialized='view') }}

with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

),

-- losses are counted in the period of the loss (the move into the exit), at the stage left
daily_losses as (

    select
        source_system,
        entity_type,
        pipeline,
        stage,
        owner_key,
        manager_key,
        team,
        region,
        channel,
        product,
        customer_segment,
        deal_type,
        lost_day,
        count(*) as entities_lost_at_stage
    from (
        select
            *,
            cast({{ dbt.date_trunc('day', to_business_time('lost_at')) }} as date) as lost_day
        from stage_reach
        where is_lost_at_stage
    ) as loss_days
    group by
        source_system,
        entity_type,
        pipeline,
        stage,
        owner_key,
        manager_key,
        team,
        region,
        channel,
        product,
        customer_segment,
        deal_type,
        lost_day

),

lost_rows as (

    {{ marts_period_rows('daily_losses', 'lost_day', [
        'source_system', 'entity_type', 'pipeline', 'stage', 'entities_lost_at_stage', 'owner_key',
        'manager_key', 'team', 'region', 'channel', 'product', 'customer_segment', 'deal_type',
    ], business_date=true) }}

),

lost_segment_rows as (

    {{ marts_segment_rows('lost_rows', [
        'source_system', 'entity_type', 'pipeline', 'period_grain', 'period_start',
        'stage', 'entities_lost_at_stage',
    ]) }}

),

lost_counts as (

    select
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value,
        stage,
        cast(sum(entities_lost_at_stage) as {{ dbt.type_bigint() }}) as entities_lost_at_stage
    from lost_segment_rows
    group by
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value,
        stage

)

select
    source_system,
    entity_type,
    pipeline,
    period_grain,
    period_start,
    segment_type,
    segment_value,
    stage,
    entities_lost_at_stage
from lost_counts
