with

evidence as (

    select * from {{ ref('int_deal_stage_evidence') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

{{ stage_entries_from_evidence('evidence', 'stage_definitions', 'deal_key', 'deal') }}

select
    deal_key,
    source_system,
    pipeline,
    stage,
    stage_order,
    entered_at,
    evidence,
    stage_label,
    is_exit,
    evidence_rank,
    entry_sequence,
    entry_number
from numbered
