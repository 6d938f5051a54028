with

entries as (

    {{ stage_entries_from_evidence(
        ref('int_person_stage_evidence'), ref('stage_definitions'), 'person_key', 'person'
    ) }}

)

select
    person_key,
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
