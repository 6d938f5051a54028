{#- MQL -> sales hand-off SLA (docs/metrics.md): one row per entry of a person
    into mql, with what happened next and its SLA status at the as-of time. -#}
{%- set sla_hours = var('sla_hours', 24) %}
with

-- each MQL entry by the as-of time, with the stage entry right after it
mql_entries as (

    select * from {{ ref('int_mql_entries') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

stage_orders as (

    select
        max(case when stage = 'mql' then stage_order end) as mql_order,
        min(case when stage in ('sal', 'sql') then stage_order end) as accepted_order
    from stage_definitions
    where entity_type = 'person'

),

-- SLA status, see docs/metrics.md: the first move after the MQL decides;
-- reaching sal or sql counts also when sales skips them (pass-through: any later ordered stage)
classified as (

    select
        mql_entries.*,
        case
            when mql_entries.next_stage is not null and not mql_entries.is_next_exit
                and mql_entries.next_stage_order >= stage_orders.accepted_order
                then case when mql_entries.hours_to_next_stage <= {{ sla_hours }} then 'accepted' else 'late' end
            when mql_entries.next_stage is not null and not mql_entries.is_next_exit
                and mql_entries.next_stage_order < stage_orders.mql_order
                then 'recycled'
            when mql_entries.next_stage is not null and mql_entries.is_next_exit
                then 'disqualified'
            when mql_entries.hours_open_at_as_of <= {{ sla_hours }}
                then 'pending'
            else 'breached'
        end as sla_status
    from mql_entries
    cross join stage_orders

),

final as (

    select
        -- keys
        {{ dbt.concat(
            ['classified.person_key', "':mql:'", 'cast(classified.mql_entry_number as ' ~ dbt.type_string() ~ ')']
        ) }} as mql_entry_key,
        classified.person_key,
        classified.source_system,
        classified.mql_entry_number,

        -- segments
        persons.owner_key,
        coalesce(persons.channel, 'unknown') as channel,

        -- timing
        classified.mql_at,
        cast({{ to_business_time('classified.mql_at') }} as date) as mql_date,
        classified.next_stage,
        classified.next_entered_at as next_stage_at,
        case when classified.sla_status in ('accepted', 'late') then classified.next_entered_at end as accepted_at,
        case when classified.sla_status in ('accepted', 'late') then classified.hours_to_next_stage end
            as hours_to_acceptance,
        classified.hours_to_next_stage,
        classified.as_of_at,
        {{ sla_hours }} as sla_hours,

        -- status
        classified.sla_status,
        classified.sla_status in ('accepted', 'late') as is_accepted,
        classified.sla_status in ('late', 'breached') as is_sla_missed

    from classified
    left join persons
        on classified.person_key = persons.person_key

)

select
    mql_entry_key,
    person_key,
    source_system,
    mql_entry_number,
    owner_key,
    channel,
    mql_at,
    mql_date,
    next_stage,
    next_stage_at,
    accepted_at,
    hours_to_acceptance,
    hours_to_next_stage,
    as_of_at,
    sla_hours,
    sla_status,
    is_accepted,
    is_sla_missed
from final
