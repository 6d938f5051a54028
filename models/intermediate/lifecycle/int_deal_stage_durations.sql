with

spells as (

    select * from {{ ref('int_deal_spells') }}

),

{{ stage_durations('spells', 'deal_key') }}

select
    deal_key,
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
