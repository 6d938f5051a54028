{#- The deals' rows of int_stage_spells, keyed by deal_key. A view: the unified model stores them. -#}
{{ config(materialized='view') }}

with

stage_spells as (

    select * from {{ ref('int_stage_spells') }}

)

select
    entity_key as deal_key,
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
from stage_spells
where entity_type = 'deal'
