with

spells as (

    select * from {{ ref('int_person_spells') }}

),

{{ stage_durations('spells', 'person_key') }}

select
    person_key,
    source_system,
    pipeline,
    stage,
    spell_count,
    first_entered_at,
    last_entered_at,
    latest_spell_days,
    total_days_in_stage,
    is_current
from aggregated
