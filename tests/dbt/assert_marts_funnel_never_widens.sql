{#- Reached never grows down the funnel (docs/metrics.md): in fct_funnel_cohort, for
    every cohort and cut, no stage has more entities than the stage before it. Returns the offending
    rows. -#}
with

cohort_funnel as (

    select * from {{ ref('fct_funnel_cohort') }}

),

widening as (

    select
        source_system,
        entity_type,
        pipeline,
        period_grain,
        period_start,
        segment_type,
        segment_value,
        previous_stage,
        stage,
        entities_reached_previous_stage,
        entities_reached
    from cohort_funnel
    where entities_reached > entities_reached_previous_stage
        or entities_reached > entities_in_cohort

)

select
    source_system,
    entity_type,
    pipeline,
    period_grain,
    period_start,
    segment_type,
    segment_value,
    previous_stage,
    stage,
    entities_reached_previous_stage,
    entities_reached
from widening
