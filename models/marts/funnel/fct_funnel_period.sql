{#- Period funnel (docs/metrics.md): entities entering each stage
    within the period, whatever their cohort, per segment cut. -#}
with

-- entries and losses per period, cut and stage. Each import of them below is read once: DuckDB
-- materializes a CTE read more than once, whole, and the previous stage's lookup joins the stored
-- counts, not a copy of them
stage_counts as (

    select * from {{ ref('int_funnel_period_stage_counts') }}

),

-- the same counts, as the stage before each step
previous_stage_counts as (

    select * from {{ ref('int_funnel_period_stage_counts') }}

),

-- the periods and cuts with an entry or a loss
period_counts as (

    select * from {{ ref('int_funnel_period_stage_counts') }}

),

pipeline_stages as (

    select * from {{ ref('int_funnel_pipeline_stages') }}

),

periods as (

    select distinct
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value
    from period_counts

),

-- every stage of the pipeline for every period and cut (0 where nobody entered or was lost at it),
-- with the previous stage's entries of the same period and cut (null at the first stage)
with_previous as (

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
        coalesce(stage_counts.entities_lost_at_stage, 0) as entities_lost_at_stage,
        case
            when pipeline_stages.previous_stage is not null
                then coalesce(previous_stage_counts.entities_entered, 0)
        end as entities_entered_previous_stage
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
    left join previous_stage_counts
        on periods.source_system = previous_stage_counts.source_system
        and periods.entity_type = previous_stage_counts.entity_type
        and periods.pipeline = previous_stage_counts.pipeline
        and periods.period_grain = previous_stage_counts.period_grain
        and periods.period_start = previous_stage_counts.period_start
        and periods.segment_type = previous_stage_counts.segment_type
        and periods.segment_value = previous_stage_counts.segment_value
        and pipeline_stages.previous_stage = previous_stage_counts.stage

),

-- period funnel ratio, see docs/metrics.md: not a cohort conversion (it can exceed 1
-- when earlier cohorts move on)
with_ratio as (

    select
        *,
        {{ safe_divide('entities_entered', 'entities_entered_previous_stage') }} as ratio_to_previous_stage
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
from with_ratio
