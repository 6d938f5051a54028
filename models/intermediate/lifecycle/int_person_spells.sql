with

entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

{{ stage_spells('entries', 'as_of', 'person_key') }}

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
