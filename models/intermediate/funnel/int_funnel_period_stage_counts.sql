{#- Entries into each stage within a period (whatever the entities' cohort) and losses at each stage
    within a period (the move into the exit, at the stage left), per period grain and segment cut: the
    counts of fct_funnel_period. Only stages entered or lost at appear here. -#}
{#- Stored: fct_funnel_period reads it three times (the counts, the previous stage's, the periods). -#}
{{ config(materialized='table') }}

with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

),

-- an entry counts on the day the stage was reached, a loss on the day of the move into the exit
stage_events as (

    select
        *,
        cast({{ dbt.date_trunc('day', to_business_time('reached_at')) }} as date) as event_day,
        1 as is_entry,
        case when is_passed_through then 1 else 0 end as is_passed_through_entry,
        0 as is_loss
    from stage_reach

    union all

    select
        *,
        cast({{ dbt.date_trunc('day', to_business_time('lost_at')) }} as date) as event_day,
        0 as is_entry,
        0 as is_passed_through_entry,
        1 as is_loss
    from stage_reach
    where is_lost_at_stage

),

-- counts add up, so events are first counted per business day, stage and segment values: the
-- cuts below then read these rows, not one row per entity and stage
daily_counts as (

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
        event_day,
        sum(is_entry) as entities_entered,
        sum(is_passed_through_entry) as entities_passed_through,
        sum(is_loss) as entities_lost_at_stage
    from stage_events
    group by
        source_system, entity_type, pipeline, stage, owner_key, manager_key, team, region,
        channel, product, customer_segment, deal_type, event_day

),

-- each cut counted per day and value before the period grains copy its rows: at a million leads
-- the daily rows are nearly one per entity (owner x channel x ...), and copying them for every
-- grain and cut before summing made 40 copies of them; a cut's daily counts are a few per day
daily_cut_counts as (

    {{ marts_segment_rows('daily_counts', [
        'source_system', 'entity_type', 'pipeline', 'stage', 'event_day',
        'entities_entered', 'entities_passed_through', 'entities_lost_at_stage',
    ]) }}

),

cut_day_counts as (

    select
        source_system,
        entity_type,
        pipeline,
        segment_type,
        segment_value,
        stage,
        event_day,
        sum(entities_entered) as entities_entered,
        sum(entities_passed_through) as entities_passed_through,
        sum(entities_lost_at_stage) as entities_lost_at_stage
    from daily_cut_counts
    group by source_system, entity_type, pipeline, segment_type, segment_value, stage, event_day

),

-- one copy per period grain, keyed on the period of the event
period_rows as (

    {{ marts_period_rows('cut_day_counts', 'event_day', [
        'source_system', 'entity_type', 'pipeline', 'segment_type', 'segment_value', 'stage',
        'entities_entered', 'entities_passed_through', 'entities_lost_at_stage',
    ], business_date=true) }}

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
        cast(sum(entities_passed_through) as {{ dbt.type_bigint() }}) as entities_passed_through,
        cast(sum(entities_lost_at_stage) as {{ dbt.type_bigint() }}) as entities_lost_at_stage
    from period_rows
    group by
        source_system, entity_type, pipeline, period_grain, period_start, segment_type,
        segment_value, stage

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
    entities_passed_through,
    entities_lost_at_stage
from stage_counts
