with

entries as (

    {{ stage_entries_from_evidence(
        ref('int_deal_stage_evidence'), ref('stage_definitions'), 'deal_key', 'deal'
    ) }}

)

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
from entries
