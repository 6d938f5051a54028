{#- The persons' rows of int_stage_reach, keyed by person_key. A view: the unified model stores them. -#}
{{ config(materialized='view') }}

with

stage_reach as (

    select * from {{ ref('int_stage_reach') }}

)

select
    entity_key as person_key,
    source_system,
    pipeline,
    stage,
    stage_order,
    reached_at,
    is_passed_through,
    stage_position
from stage_reach
where entity_type = 'person'
