{#- Each entry of a person into mql by the as-of time, with the stage entry that came right after it:
    what fct_mql_sla judges the hand-off SLA on. -#}
{#- A view: read once, by fct_mql_sla; nothing to store twice. -#}
{{ config(materialized='view') }}

with

person_stage_entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- the warehouse's one as-of (pinned, else the end of the data's latest event day)
as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

-- what sales saw by the as-of time; exits sort after every ordered stage at the same instant
entries as (

    select
        person_stage_entries.person_key,
        person_stage_entries.source_system,
        person_stage_entries.stage,
        person_stage_entries.stage_order,
        person_stage_entries.entered_at,
        coalesce(stage_definitions.is_lost, false) as is_exit
    from person_stage_entries
    cross join as_of
    left join stage_definitions
        on stage_definitions.entity_type = 'person'
        and person_stage_entries.stage = stage_definitions.stage
    -- as_of_at is business wall-clock time (int_as_of); entries are UTC
    where {{ to_business_time('person_stage_entries.entered_at') }} <= as_of.as_of_at

),

-- the entry right after each entry of the same person, in time (ties by stage order)
sequenced as (

    select
        person_key,
        source_system,
        stage,
        stage_order,
        entered_at,
        row_number() over (
            partition by person_key, stage order by entered_at
        ) as stage_entry_number,
        lead(stage) over (
            partition by person_key order by entered_at, coalesce(stage_order, 999999)
        ) as next_stage,
        lead(stage_order) over (
            partition by person_key order by entered_at, coalesce(stage_order, 999999)
        ) as next_stage_order,
        lead(is_exit) over (
            partition by person_key order by entered_at, coalesce(stage_order, 999999)
        ) as is_next_exit,
        lead(entered_at) over (
            partition by person_key order by entered_at, coalesce(stage_order, 999999)
        ) as next_entered_at
    from entries

),

mql_entries as (

    select
        sequenced.person_key,
        sequenced.source_system,
        sequenced.stage_entry_number as mql_entry_number,
        sequenced.entered_at as mql_at,
        sequenced.next_stage,
        sequenced.next_stage_order,
        sequenced.is_next_exit,
        sequenced.next_entered_at,
        as_of.as_of_at,
        ({{ epoch_seconds('sequenced.next_entered_at') }} - {{ epoch_seconds('sequenced.entered_at') }}) / 3600.0
            as hours_to_next_stage,
        ({{ epoch_seconds('as_of.as_of_at') }} - {{ epoch_seconds(to_business_time('sequenced.entered_at')) }}) / 3600.0
            as hours_open_at_as_of
    from sequenced
    cross join as_of
    where sequenced.stage = 'mql'

)

select
    person_key,
    source_system,
    mql_entry_number,
    mql_at,
    next_stage,
    next_stage_order,
    is_next_exit,
    next_entered_at,
    as_of_at,
    hours_to_next_stage,
    hours_open_at_as_of
from mql_entries
