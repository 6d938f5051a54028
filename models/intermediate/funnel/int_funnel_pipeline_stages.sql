{#- The stages each pipeline uses (those of int_funnel_stage_reach), in order, with the stage before
    each and the pipeline's first stage: the stage list the cohort and period funnels densify over. -#}
with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

),

distinct_stages as (

    select distinct
        source_system,
        entity_type,
        pipeline,
        stage,
        stage_order
    from stage_reach

),

ordered_stages as (

    select
        source_system,
        entity_type,
        pipeline,
        stage,
        stage_order,
        lag(stage) over (
            partition by source_system, entity_type, pipeline order by stage_order
        ) as previous_stage,
        min(stage_order) over (partition by source_system, entity_type, pipeline) as first_stage_order
    from distinct_stages

)

select
    source_system,
    entity_type,
    pipeline,
    stage,
    stage_order,
    previous_stage,
    first_stage_order
from ordered_stages
