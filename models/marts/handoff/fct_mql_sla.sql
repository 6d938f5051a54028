{#- MQL -> sales hand-off SLA (semantics: "MQL -> sales hand-off SLA"): one row per entry of a person
    into mql, with what happened next and its SLA status at the as-of time. -#}
{%- set sla_hours = var('sla_hours', 24) %}
with

person_stage_entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- the warehouse's one as-of (pinned, else the end of the data's latest event day)
as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

stage_orders as (

    select
        max(case when stage = 'mql' then stage_order end) as mql_order,
        min(case when stage in ('sal', 'sql') then stage_order end) as accepted_order
    from stage_definitions
    where entity_type = 'person'

),

-- what sales saw by the as-of time; exits sort after every ordered stage at the same instant
entries as (

    select
        person_stage_entries.person_key,
        person_stage_entries.source_system,
        person_stage_entries.stage,
        person_stage_entries.stage_order,
        person_stage_entries.entered_at,
        case when stage_definitions.is_lost then true else false end as is_exit
    from person_stage_entries
    cross join as_of
    left join stage_definitions
        on stage_definitions.entity_type = 'person'
        and person_stage_entries.stage = stage_definitions.stage
    where person_stage_entries.entered_at <= as_of.as_of_at

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
        sequenced.*,
        as_of.as_of_at,
        stage_orders.mql_order,
        stage_orders.accepted_order,
        ({{ epoch_seconds('sequenced.next_entered_at') }} - {{ epoch_seconds('sequenced.entered_at') }}) / 3600.0
            as hours_to_next_stage,
        ({{ epoch_seconds('as_of.as_of_at') }} - {{ epoch_seconds('sequenced.entered_at') }}) / 3600.0
            as hours_open_at_as_of
    from sequenced
    cross join as_of
    cross join stage_orders
    where sequenced.stage = 'mql'

),

-- SLA status, see semantics "MQL -> sales hand-off SLA": the first move after the MQL decides;
-- reaching sal or sql counts also when sales skips them (pass-through: any later ordered stage)
classified as (

    select
        *,
        case
            when next_stage is not null and not is_next_exit and next_stage_order >= accepted_order
                then case when hours_to_next_stage <= {{ sla_hours }} then 'accepted' else 'late' end
            when next_stage is not null and not is_next_exit and next_stage_order < mql_order
                then 'recycled'
            when next_stage is not null and is_next_exit
                then 'disqualified'
            when hours_open_at_as_of <= {{ sla_hours }}
                then 'pending'
            else 'breached'
        end as sla_status
    from mql_entries

),

final as (

    select
        -- keys
        {{ dbt.concat(['classified.person_key', "':mql:'", 'cast(classified.stage_entry_number as ' ~ dbt.type_string() ~ ')']) }}
            as mql_entry_key,
        classified.person_key,
        classified.source_system,
        classified.stage_entry_number as mql_entry_number,

        -- segments
        persons.owner_key,
        coalesce(persons.channel, 'unknown') as channel,

        -- timing
        classified.entered_at as mql_at,
        cast({{ to_business_time('classified.entered_at') }} as date) as mql_date,
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
