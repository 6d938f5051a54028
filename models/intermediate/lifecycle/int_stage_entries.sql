{#- Stage entries of persons and deals in one relation (entity_type, entity_key): the input of the
    unified spells, reach and transitions. A view: the two entry models store the rows. Entries
    themselves stay two models, because a person's derived evidence reads the deals' entries. -#}
{{ config(materialized='view') }}

with

person_entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

deal_entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

unioned as (

    {%- for entity_type, entries in [('person', 'person_entries'), ('deal', 'deal_entries')] %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        '{{ entity_type }}' as entity_type,
        {{ entity_type }}_key as entity_key,
        source_system,
        pipeline,
        stage,
        stage_order,
        is_exit,
        entered_at,
        evidence,
        entry_sequence,
        entry_number
    from {{ entries }}
    {%- endfor %}

)

select
    entity_type,
    entity_key,
    source_system,
    pipeline,
    stage,
    stage_order,
    is_exit,
    entered_at,
    evidence,
    entry_sequence,
    entry_number
from unioned
