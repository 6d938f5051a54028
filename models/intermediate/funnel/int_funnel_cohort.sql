{#- Cohort funnel (docs/metrics.md): entities grouped by the period in
    which they entered the funnel's first stage, per stage of their pipeline, per segment cut. The
    logic of fct_funnel_cohort (its thin published copy) and the steps fct_funnel_bottlenecks scores. -#}
{#- Stored once: fct_funnel_cohort publishes it as a view; int_funnel_step_baselines reads its months. -#}

with

-- entities per cohort, cut and stage reached, with the percentiles (built one cut at a time).
-- Each import of it below is read once: DuckDB materializes a CTE read more than once, whole,
-- and the lookups of the previous and first stage join the stored counts, not a copy of them
stage_counts as (

    select * from {{ ref('int_funnel_cohort_stage_counts') }}

),

-- the same counts, as the stage before each step
previous_stage_counts as (

    select * from {{ ref('int_funnel_cohort_stage_counts') }}

),

-- the same counts, as the cohort's reach of its pipeline's first stage
first_stage_counts as (

    select * from {{ ref('int_funnel_cohort_stage_counts') }}

),

-- the stages each pipeline uses, in order, with the stage before each and the pipeline's first
pipeline_stages as (

    select * from {{ ref('int_funnel_pipeline_stages') }}

),

-- every cohort and cut, with its reach of the pipeline's first stage (null when nobody of it
-- reached that stage)
cohorts as (

    select
        first_stage_counts.source_system,
        first_stage_counts.entity_type,
        first_stage_counts.pipeline,
        first_stage_counts.period_grain,
        first_stage_counts.period_start,
        first_stage_counts.segment_type,
        first_stage_counts.segment_value,
        max(
            case
                when pipeline_stages.stage_order = pipeline_stages.first_stage_order
                    then first_stage_counts.entities_reached
            end
        ) as entities_reached_first_stage
    from first_stage_counts
    left join pipeline_stages
        on first_stage_counts.source_system = pipeline_stages.source_system
        and first_stage_counts.entity_type = pipeline_stages.entity_type
        and first_stage_counts.pipeline = pipeline_stages.pipeline
        and first_stage_counts.stage = pipeline_stages.stage
    group by
        first_stage_counts.source_system,
        first_stage_counts.entity_type,
        first_stage_counts.pipeline,
        first_stage_counts.period_grain,
        first_stage_counts.period_start,
        first_stage_counts.segment_type,
        first_stage_counts.segment_value

),

-- every stage of the pipeline for every cohort and cut, so a stage nobody of the cohort reached
-- shows 0 and the step into it is not skipped; with the previous stage's reach of the same cohort
-- and cut (null at the first stage) and the cohort's size, its first stage's reach
with_denominators as (

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
        coalesce(stage_counts.entities_reached, 0) as entities_reached,
        coalesce(stage_counts.entities_lost_at_stage, 0) as entities_lost_at_stage,
        coalesce(stage_counts.entities_open_at_stage, 0) as entities_open_at_stage,
        stage_counts.median_days_from_entry,
        stage_counts.p90_days_from_entry,
        case
            when pipeline_stages.previous_stage is not null
                then coalesce(previous_stage_counts.entities_reached, 0)
        end as entities_reached_previous_stage,
        coalesce(cohorts.entities_reached_first_stage, 0) as entities_in_cohort
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
    left join previous_stage_counts
        on cohorts.source_system = previous_stage_counts.source_system
        and cohorts.entity_type = previous_stage_counts.entity_type
        and cohorts.pipeline = previous_stage_counts.pipeline
        and cohorts.period_grain = previous_stage_counts.period_grain
        and cohorts.period_start = previous_stage_counts.period_start
        and cohorts.segment_type = previous_stage_counts.segment_type
        and cohorts.segment_value = previous_stage_counts.segment_value
        and pipeline_stages.previous_stage = previous_stage_counts.stage

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
    -- conversion from the previous stage / from the top, see docs/metrics.md
    {{ safe_divide('entities_reached', 'entities_reached_previous_stage') }} as conversion_from_previous,
    {{ safe_divide('entities_reached', 'entities_in_cohort') }} as conversion_from_top,
    entities_lost_at_stage,
    entities_open_at_stage,
    median_days_from_entry,
    p90_days_from_entry
from with_denominators
