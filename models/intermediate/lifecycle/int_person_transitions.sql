with

entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

pipeline_stages as (

    select * from {{ ref('int_pipeline_stages') }}

),

{{ stage_transitions('entries', 'pipeline_stages', 'person_key', 'person') }}

select
    person_key,
    source_system,
    pipeline,
    transition_number,
    from_stage,
    to_stage,
    transitioned_at,
    evidence,
    direction,
    entry_number
from transitions
