{#- Transitions of persons and deals alike: one row per pair of consecutive entries of an entity (the
    first entry is no transition). Direction (docs/lifecycle.md, truth rule): from an exit = reopen;
    into an exit = forward; next stage of the pipeline = forward; further = skip; earlier = backward.
    Unmapped stages have no position: a change from or to one has direction 'unknown'.
    int_person_transitions and int_deal_transitions are its rows per entity type. -#}
with

entries as (

    select * from {{ ref('int_stage_entries') }}

),

pipeline_stages as (

    select * from {{ ref('int_pipeline_stages') }}

),

positioned as (

    select
        entries.*,
        stages.stage_position
    from entries
    left join pipeline_stages as stages
        on entries.entity_type = stages.entity_type
        and entries.source_system = stages.source_system
        and entries.pipeline = stages.pipeline
        and entries.stage = stages.stage

),

-- each entry beside the one before it
paired as (

    select
        positioned.*,
        lag(stage) over (partition by entity_type, entity_key order by entry_sequence) as from_stage,
        lag(is_exit) over (partition by entity_type, entity_key order by entry_sequence) as from_is_exit,
        lag(stage_position) over (partition by entity_type, entity_key order by entry_sequence) as from_position
    from positioned

),

final as (

    select
        entity_type,
        entity_key,
        source_system,
        pipeline,
        entry_sequence - 1 as transition_number,
        from_stage,
        stage as to_stage,
        entered_at as transitioned_at,
        evidence,
        case
            when from_is_exit then 'reopen'
            when is_exit then 'forward'
            when from_position is null or stage_position is null then 'unknown'
            when stage_position = from_position + 1 then 'forward'
            when stage_position > from_position + 1 then 'skip'
            else 'backward'
        end as direction,
        entry_number
    from paired
    where entry_sequence > 1

)

select
    entity_type,
    entity_key,
    source_system,
    pipeline,
    transition_number,
    from_stage,
    to_stage,
    transitioned_at,
    evidence,
    direction,
    entry_number
from final
