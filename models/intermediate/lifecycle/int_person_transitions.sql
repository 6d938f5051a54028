{#- The persons' rows of int_stage_transitions, keyed by person_key. A view: the unified model stores them. -#}
{{ config(materialized='view') }}

with

stage_transitions as (

    select * from {{ ref('int_stage_transitions') }}

)

select
    entity_key as person_key,
    source_system,
    pipeline,
    transition_number,
    from_stage,
    to_stage,
    transitioned_at,
    evidence,
    direction,
    entry_number
from stage_transitions
where entity_type = 'person'
