{#- Entities entering each stage within a period (whatever their cohort), per period grain and
    segment cut, and how many of them passed through it: the entries of fct_funnel_period. Only
    stages entered appear here. -#}
{#- A view: its rows (many, one per grain, cut, period and stage) are read only by fct_funnel_period. -#}
{{ config(materialized='view') }}

with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

),

-- counts add up, so entities are first counted per business day, stage and segment values; the
-- period grains and segment cuts below then expand these rows, not one row per entity and stage
daily_reach as (

    select
        source_system,
        entity_type,
        pipeline,
        stage,
        stage_order,
        owner_key,
        manager_key,
        team,
        region,
        channel,
        product,
        customer_segment,
        deal_type,
        reached_day,
        count(*) as entities_entered,
        sum(case when is_passed_through then 1 else 0 end) as entities_passed_through
    from (
        select
            *,
            cast({{ dbt.date_trunc('day', to_business_time('reached_at')) }} as date) as reached_day
        from stage_reach
    ) as reach_days
    group by
        source_system,
        entity_type,
        pipeline,
        stage,
        stage_order,
        owner_key,
        manager_key,
        team,
        region,
        channel,
        product,
        customer_segment,
        deal_type,
        reached_day

),

-- one copy per period grain, keyed on the period the stage was reached in
period_rows as (

    {{ marts_period_rows('daily_reach', 'reached_day', [
        'source_system', 'entity_type', 'pipeline', 'stage', 'stage_order',
        'entities_entered', 'entities_passed_through', 'owner_key', 'manager_key', 'team', 'region',
        'channel', 'product', 'customer_segment', 'deal_type',
    ], business_date=true) }}

),

segment_rows as (

    {{ marts_segment_rows('period_rows', [
        'source_system', 'entity_type', 'pipeline', 'period_grain', 'period_start',
        'stage', 'stage_order', 'entities_entered', 'entities_passed_through',
    ]) }}

),

stage_counts as (

    select
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value,
        stage,
        cast(sum(entities_entered) as {{ dbt.type_bigint() }}) as entities_entered,
        cast(sum(entities_passed_through) as {{ dbt.type_bigint() }}) as entities_passed_through
    from segment_rows
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
    entities_entered,
    entities_passed_through
from stage_counts
