with

entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

pipeline_stages as (

    select * from {{ ref('int_pipeline_stages') }}

),

{{ stage_transitions('entries', 'pipeline_stages', 'deal_key', 'deal') }}

select
    deal_key,
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
