-- Reached counts never grow down the funnel (docs/metrics.md): per source system,
-- entity type and pipeline, the number of entities reaching a stage is at most the number reaching
-- the stage before it. Returns the offending (stage, previous stage) pairs.
with

person_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

deal_reach as (

    select * from {{ ref('int_deal_stage_reach') }}

),

reached_counts as (

    select source_system, 'person' as entity_type, pipeline, stage, stage_order, count(*) as reached
    from person_reach
    group by source_system, pipeline, stage, stage_order

    union all

    select source_system, 'deal' as entity_type, pipeline, stage, stage_order, count(*) as reached
    from deal_reach
    group by source_system, pipeline, stage, stage_order

),

compared as (

    select
        source_system,
        entity_type,
        pipeline,
        stage,
        reached,
        lag(stage) over (partition by source_system, entity_type, pipeline order by stage_order) as previous_stage,
        lag(reached) over (partition by source_system, entity_type, pipeline order by stage_order) as previous_reached
    from reached_counts

)

select
    source_system,
    entity_type,
    pipeline,
    previous_stage,
    previous_reached,
    stage,
    reached
from compared
where previous_reached is not null
    and reached > previous_reached
