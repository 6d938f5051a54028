{#- One row per entity (person or deal) that has a current stage or was lost: the stage it was lost at
    (its last open stage) and when, and its current stage and whether that stage is open. -#}
{#- A view: one row per person and deal, read only by int_funnel_stage_reach, which stores the flags on
    every stage row. -#}
{{ config(materialized='view') }}

with

transitions as (

    select * from {{ ref('int_stage_transitions') }}

),

person_spells as (

    select * from {{ ref('int_person_spells') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

exit_stages as (

    select
        entity_type,
        stage
    from stage_definitions
    where is_lost

),

-- the last stage change of each entity: when it goes into an exit (disqualified, closed_lost), the
-- entity is lost at the stage it left (its last open stage)
last_transitions as (

    select
        entity_type,
        entity_key,
        from_stage,
        to_stage,
        transitioned_at,
        row_number() over (
            partition by entity_type, entity_key
            order by transition_number desc, transitioned_at desc
        ) as recency_rank
    from transitions

),

lost_entities as (

    select
        last_transitions.entity_type,
        last_transitions.entity_key,
        last_transitions.from_stage as lost_at_stage,
        last_transitions.transitioned_at as lost_at
    from last_transitions
    inner join exit_stages
        on last_transitions.entity_type = exit_stages.entity_type
        and last_transitions.to_stage = exit_stages.stage
    where last_transitions.recency_rank = 1

),

-- current stage of each entity, and whether that stage is open (not closed, won or lost)
current_stages as (

    select
        'person' as entity_type,
        person_spells.person_key as entity_key,
        person_spells.stage as current_stage,
        coalesce(not stage_definitions.is_closed, false) as is_open
    from person_spells
    left join stage_definitions
        on stage_definitions.entity_type = 'person'
        and person_spells.stage = stage_definitions.stage
    where person_spells.is_current

    union all

    select
        'deal' as entity_type,
        deal_key as entity_key,
        current_stage,
        not coalesce(is_closed, false) as is_open
    from deals

),

-- a full join: an entity lost without a current stage keeps its loss, one with a current stage and
-- no loss keeps its stage (lost_entities has at most one row per entity)
outcomes as (

    select
        coalesce(current_stages.entity_type, lost_entities.entity_type) as entity_type,
        coalesce(current_stages.entity_key, lost_entities.entity_key) as entity_key,
        lost_entities.lost_at_stage,
        lost_entities.lost_at,
        current_stages.current_stage,
        current_stages.is_open
    from current_stages
    full outer join lost_entities
        on current_stages.entity_type = lost_entities.entity_type
        and current_stages.entity_key = lost_entities.entity_key

)

select
    entity_type,
    entity_key,
    lost_at_stage,
    lost_at,
    current_stage,
    is_open
from outcomes
