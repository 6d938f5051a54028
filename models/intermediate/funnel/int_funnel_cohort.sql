{#- Cohort funnel (semantics: "Counting the funnel", cohort funnel): entities grouped by the period in
    which they entered the funnel's first stage, per stage of their pipeline, per segment cut. The
    logic of fct_funnel_cohort (its thin published copy) and the steps fct_funnel_bottlenecks scores. -#}
{#- Stored here once: fct_funnel_cohort publishes it as a view, and int_funnel_step_baselines reads
    its month rows for fct_funnel_bottlenecks. -#}

with

-- entities per cohort, cut and stage reached, with the percentiles (built one cut at a time)
stage_counts as (

    select * from {{ ref('int_funnel_cohort_stage_counts') }}

),

-- the stages each pipeline uses, in order, with the stage before each and the pipeline's first
pipeline_stages as (

    select * from {{ ref('int_funnel_pipeline_stages') }}

),

cohorts as (

    select distinct
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value
    from stage_counts

),

-- every stage of the pipeline for every cohort and cut, so a stage nobody of the cohort reached
-- shows 0 and the step into it is not skipped
dense as (

    select
        cohorts.source_system,
        cohorts.entity_type,
        cohorts.pipeline,
        cohorts.period_grain,
        cohorts.period_start,
        cohorts.segment_type,
        cohorts.segment_value,
        pipeline_stages.stage,
        pipeline_stages.stage_order,
        pipeline_stages.previous_stage,
        pipeline_stages.first_stage_order,
        coalesce(stage_counts.entities_reached, 0) as entities_reached,
        coalesce(stage_counts.entities_lost_at_stage, 0) as entities_lost_at_stage,
        coalesce(stage_counts.entities_open_at_stage, 0) as entities_open_at_stage,
        stage_counts.median_days_from_entry,
        stage_counts.p90_days_from_entry
    from cohorts
    inner join pipeline_stages
        on cohorts.source_system = pipeline_stages.source_system
        and cohorts.entity_type = pipeline_stages.entity_type
        and cohorts.pipeline = pipeline_stages.pipeline
    left join stage_counts
        on cohorts.source_system = stage_counts.source_system
        and cohorts.entity_type = stage_counts.entity_type
        and cohorts.pipeline = stage_counts.pipeline
        and cohorts.period_grain = stage_counts.period_grain
        and cohorts.period_start = stage_counts.period_start
        and cohorts.segment_type = stage_counts.segment_type
        and cohorts.segment_value = stage_counts.segment_value
        and pipeline_stages.stage = stage_counts.stage

),

-- the previous stage's and the first stage's reach of the same cohort and cut (self-joins
-- rather than windows: many tiny window partitions are slow at scale)
with_denominators as (

    select
        dense.*,
        previous_stages.entities_reached as entities_reached_previous_stage,
        first_stages.entities_reached as entities_in_cohort
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
    left join dense as first_stages
        on dense.source_system = first_stages.source_system
        and dense.entity_type = first_stages.entity_type
        and dense.pipeline = first_stages.pipeline
        and dense.period_grain = first_stages.period_grain
        and dense.period_start = first_stages.period_start
        and dense.segment_type = first_stages.segment_type
        and dense.segment_value = first_stages.segment_value
        and dense.first_stage_order = first_stages.stage_order

),

-- conversion from the previous stage / from the top, see semantics "Counting the funnel"
with_conversions as (

    select
        *,
        {{ safe_divide('entities_reached', 'entities_reached_previous_stage') }} as conversion_from_previous,
        {{ safe_divide('entities_reached', 'entities_in_cohort') }} as conversion_from_top
    from with_denominators

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
    entities_in_cohort,
    entities_reached,
    entities_reached_previous_stage,
    conversion_from_previous,
    conversion_from_top,
    entities_lost_at_stage,
    entities_open_at_stage,
    median_days_from_entry,
    p90_days_from_entry
from with_conversions
