{#- The steps (previous stage -> stage) of the monthly cohort funnel per segment cut, each with its
    trailing baseline: the pooled conversion of the same step and cut over the previous
    var('bottleneck_baseline_periods', 3) calendar months, which fct_funnel_bottlenecks scores. -#}
{#- A view: its rows are read only by fct_funnel_bottlenecks. -#}
{{ config(materialized='view') }}
{%- set baseline_periods = var('bottleneck_baseline_periods', 3) %}

with

cohort_funnel as (

    select * from {{ ref('int_funnel_cohort') }}

),

-- the steps of the monthly cohort funnel: previous stage -> stage
steps as (

    select
        source_system,
        entity_type,
        pipeline,
        segment_type,
        segment_value,
        period_start,
        extract(year from period_start) * 12 + extract(month from period_start) as month_number,
        previous_stage,
        stage,
        stage_order,
        entities_reached_previous_stage,
        entities_reached,
        conversion_from_previous,
        entities_reached_previous_stage - entities_reached as drop_off
    from cohort_funnel
    where period_grain = 'month'
        and previous_stage is not null

),

-- trailing baseline: the step's pooled conversion over the previous N calendar months of the same
-- cut (months without a cohort add nothing); a range frame on the month number, so a gap in the
-- months does not stretch the window
with_baseline as (

    select
        *,
        sum(entities_reached) over (
            partition by source_system, entity_type, pipeline, segment_type, segment_value, stage
            order by month_number
            range between {{ baseline_periods }} preceding and 1 preceding
        ) as baseline_reached,
        sum(entities_reached_previous_stage) over (
            partition by source_system, entity_type, pipeline, segment_type, segment_value, stage
            order by month_number
            range between {{ baseline_periods }} preceding and 1 preceding
        ) as baseline_reached_previous_stage
    from steps

),

scored as (

    select
        *,
        {{ safe_divide('baseline_reached', 'baseline_reached_previous_stage') }} as baseline_conversion
    from with_baseline

)

select
    source_system,
    entity_type,
    pipeline,
    segment_type,
    segment_value,
    period_start,
    previous_stage,
    stage,
    stage_order,
    entities_reached_previous_stage,
    entities_reached,
    conversion_from_previous,
    drop_off,
    baseline_reached,
    baseline_reached_previous_stage,
    baseline_conversion
from scored
