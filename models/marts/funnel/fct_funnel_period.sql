{#- Period funnel (semantics: "Counting the funnel", period funnel): entities entering each stage
    within the period, whatever their cohort, per segment cut. -#}
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

),

pipeline_stages as (

    select
        source_system,
        entity_type,
        pipeline,
        stage,
        stage_order,
        lag(stage) over (
            partition by source_system, entity_type, pipeline order by stage_order
        ) as previous_stage
    from (
        select distinct
            source_system,
            entity_type,
            pipeline,
            stage,
            stage_order
        from stage_reach
    ) as distinct_stages

),

periods as (

    select
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value
    from (
        select
            source_system,
            entity_type,
            pipeline,
            period_grain,
            period_start,
            segment_type,
            segment_value
        from stage_counts

        union

        select
            source_system,
            entity_type,
            pipeline,
            period_grain,
            period_start,
            segment_type,
            segment_value
        from lost_counts
    ) as distinct_periods

),

-- every stage of the pipeline for every period and cut (0 where nobody entered it)
dense as (

    select
        periods.source_system,
        periods.entity_type,
        periods.pipeline,
        periods.period_grain,
        periods.period_start,
        periods.segment_type,
        periods.segment_value,
        pipeline_stages.stage,
        pipeline_stages.stage_order,
        pipeline_stages.previous_stage,
        coalesce(stage_counts.entities_entered, 0) as entities_entered,
        coalesce(stage_counts.entities_passed_through, 0) as entities_passed_through,
        coalesce(lost_counts.entities_lost_at_stage, 0) as entities_lost_at_stage
    from periods
    inner join pipeline_stages
        on periods.source_system = pipeline_stages.source_system
        and periods.entity_type = pipeline_stages.entity_type
        and periods.pipeline = pipeline_stages.pipeline
    left join stage_counts
        on periods.source_system = stage_counts.source_system
        and periods.entity_type = stage_counts.entity_type
        and periods.pipeline = stage_counts.pipeline
        and periods.period_grain = stage_counts.period_grain
        and periods.period_start = stage_counts.period_start
        and periods.segment_type = stage_counts.segment_type
        and periods.segment_value = stage_counts.segment_value
        and pipeline_stages.stage = stage_counts.stage
    left join lost_counts
        on periods.source_system = lost_counts.source_system
        and periods.entity_type = lost_counts.entity_type
        and periods.pipeline = lost_counts.pipeline
        and periods.period_grain = lost_counts.period_grain
        and periods.period_start = lost_counts.period_start
        and periods.segment_type = lost_counts.segment_type
        and periods.segment_value = lost_counts.segment_value
        and pipeline_stages.stage = lost_counts.stage

),

-- the previous stage's entries of the same period and cut
with_previous as (

    select
        dense.*,
        previous_stages.entities_entered as entities_entered_previous_stage
    from dense
    left join dense as previous_stages
        on dense.source_system = previous_stages.source_system
        and dense.entity_type = previous_stages.entity_type
        and dense.pipeline = previous_stages.pipeline
        and dense.period_grain = previous_stages.period_grain
        and dense.period_start = previous_stages.period_start
        and dense.segment_type = previous_stages.segment_type
        and dense.segment_value = previous_stages.segment_value
        and dense.previous_stage = previous_stages.stage

),

final as (

    select
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value,
        stage,
        stage_order,
        previous_stage,
        entities_entered,
        entities_passed_through,
        entities_entered_previous_stage,
        -- period funnel ratio, see semantics "Counting the funnel": not a cohort conversion (it
        -- can exceed 1 when earlier cohorts move on)
        {{ safe_divide('entities_entered', 'entities_entered_previous_stage') }} as ratio_to_previous_stage,
        entities_lost_at_stage
    from with_previous

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
    stage_order,
    previous_stage,
    entities_entered,
    entities_passed_through,
    entities_entered_previous_stage,
    ratio_to_previous_stage,
    entities_lost_at_stage
from final
