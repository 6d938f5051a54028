{#- Reach of persons and deals alike, pass-through applied: an entity reached ordered stage k of its
    pipeline if it ever entered k or a later ordered stage (exits are never "later"); reached_at =
    first entry into k, or, when skipped, the earliest entry into a later stage.
    int_person_stage_reach and int_deal_stage_reach are its rows per entity type. -#}
with

entries as (

    select * from {{ ref('int_stage_entries') }}

),

pipeline_stages as (

    select * from {{ ref('int_pipeline_stages') }}

),

-- entries into ordered stages, with their position in the pipeline
entered_positions as (

    select
        entries.entity_type,
        entries.entity_key,
        entries.source_system,
        entries.pipeline,
        entries.stage,
        entries.entered_at,
        stages.stage_position
    from entries
    inner join pipeline_stages as stages
        on entries.entity_type = stages.entity_type
        and entries.source_system = stages.source_system
        and entries.pipeline = stages.pipeline
        and entries.stage = stages.stage
    where stages.stage_position is not null

),

furthest as (

    select
        entity_type,
        entity_key,
        source_system,
        pipeline,
        max(stage_position) as furthest_position
    from entered_positions
    group by entity_type, entity_key, source_system, pipeline

),

first_entries as (

    select
        entity_type,
        entity_key,
        stage_position,
        min(entered_at) as first_entered_at
    from entered_positions
    group by entity_type, entity_key, stage_position

),

-- every ordered stage up to the furthest one entered
reach_candidates as (

    select
        furthest.entity_type,
        furthest.entity_key,
        furthest.source_system,
        furthest.pipeline,
        stages.stage,
        stages.stage_order,
        stages.stage_position
    from furthest
    inner join pipeline_stages as stages
        on furthest.entity_type = stages.entity_type
        and furthest.source_system = stages.source_system
        and furthest.pipeline = stages.pipeline
        and stages.stage_position is not null
        and stages.stage_position <= furthest.furthest_position

),

-- the earliest entry into this stage or any later one (a range join on the entity's own entries)
reached_times as (

    select
        candidates.entity_type,
        candidates.entity_key,
        candidates.stage_position,
        min(later.first_entered_at) as earliest_at_or_after
    from reach_candidates as candidates
    inner join first_entries as later
        on candidates.entity_type = later.entity_type
        and candidates.entity_key = later.entity_key
        and later.stage_position >= candidates.stage_position
    group by candidates.entity_type, candidates.entity_key, candidates.stage_position

),

final as (

    select
        candidates.entity_type,
        candidates.entity_key,
        candidates.source_system,
        candidates.pipeline,
        candidates.stage,
        candidates.stage_order,
        coalesce(own.first_entered_at, reached_times.earliest_at_or_after) as reached_at,
        own.first_entered_at is null as is_passed_through,
        candidates.stage_position
    from reach_candidates as candidates
    left join first_entries as own
        on candidates.entity_type = own.entity_type
        and candidates.entity_key = own.entity_key
        and candidates.stage_position = own.stage_position
    left join reached_times
        on candidates.entity_type = reached_times.entity_type
        and candidates.entity_key = reached_times.entity_key
        and candidates.stage_position = reached_times.stage_position

)

select
    entity_type,
    entity_key,
    source_system,
    pipeline,
    stage,
    stage_order,
    reached_at,
    is_passed_through,
    stage_position
from final
