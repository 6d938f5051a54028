{#- Spells of persons and deals alike: one row per stay of an entity in a stage, [entered_at,
    exited_at), exited_at null while current; days from epoch seconds / 86400.0 (never a sub-day
    datediff). A current spell runs to the warehouse's one as-of instant (int_as_of, business
    wall-clock time: its entry is read in business time too).
    int_person_spells and int_deal_spells are its rows per entity type. -#}
with

entries as (

    select * from {{ ref('int_stage_entries') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- a stay ends where the entity's next entry begins
with_exits as (

    select
        entries.*,
        lead(entered_at) over (
            partition by entity_type, entity_key order by entry_sequence
        ) as exited_at
    from entries

),

final as (

    select
        with_exits.entity_type,
        with_exits.entity_key,
        with_exits.source_system,
        with_exits.pipeline,
        with_exits.stage,
        with_exits.entry_number,
        with_exits.entered_at,
        with_exits.exited_at,
        -- a current spell runs to the as-of, which is business wall-clock time (int_as_of)
        case
            when with_exits.exited_at is null
                then {{ days_between(to_business_time('with_exits.entered_at'), 'as_of.as_of_at') }}
            else {{ days_between('with_exits.entered_at', 'with_exits.exited_at') }}
        end as days_in_spell,
        with_exits.exited_at is null as is_current,
        with_exits.entry_sequence,
        with_exits.evidence
    from with_exits
    cross join as_of

)

select
    entity_type,
    entity_key,
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
from final
