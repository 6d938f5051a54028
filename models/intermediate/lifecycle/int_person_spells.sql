with

entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

{{ stage_spells('entries', 'person_key') }}

select
    person_key,
    source_system,
    pipeline,
    stage,
    entry_number,
    entered_at,
    exited_at,
    days_in_spell,
    is_current,
    entry_sequence,
    evidence
from spells
