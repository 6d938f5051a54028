{#- The one as-of of the warehouse ("now" of ages, open states, SLAs and snapshots), one row.
    Pinned: var('as_of_date') (a date: its whole day counts), else var('as_of_timestamp') or
    FUNNEL_AS_OF (pinned_as_of_timestamp, a UTC 'YYYY-MM-DD HH:MM:SS'; midnight closes the day before it). Unpinned: the
    end of the latest event day in the data, of persons or deals alike, so a rebuild of the same
    exports gives the same answer (an export without deals still has a date); with no events at
    all, the clock. -#}
{%- set pinned_timestamp = pinned_as_of_timestamp() %}
with

persons as (

    select * from {{ ref('int_persons') }}

),

person_entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

deal_entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

-- every creation and stage entry in the data, as a business-time date
event_dates as (

    select {{ pipeline_business_date('created_at') }} as event_date, 'person' as entity_type from persons
    union all
    select {{ pipeline_business_date('entered_at') }} as event_date, 'person' as entity_type from person_entries
    union all
    select {{ pipeline_business_date('created_at') }} as event_date, 'deal' as entity_type from deals
    union all
    select {{ pipeline_business_date('entered_at') }} as event_date, 'deal' as entity_type from deal_entries

),

latest as (

    select
        max(event_date) as latest_event_date,
        max(case when entity_type = 'deal' then event_date end) as latest_deal_event_date
    from event_dates

),

resolved as (

    select
        {%- if var('as_of_date', none) is not none %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date,
        cast({{ pipeline_add_days("cast('" ~ var('as_of_date') ~ "' as date)", 1) }} as timestamp) as as_of_at,
        {%- elif pinned_timestamp %}
        -- the day the pinned instant falls in; an instant at midnight ends the day before it
        case
            when cast(cast(pinned.as_of_at as date) as timestamp) = pinned.as_of_at
                then {{ pipeline_add_days('cast(pinned.as_of_at as date)', -1) }}
            else cast(pinned.as_of_at as date)
        end as as_of_date,
        pinned.as_of_at,
        {%- else %}
        coalesce(latest.latest_event_date, {{ pipeline_business_date(as_of_timestamp()) }}) as as_of_date,
        cast({{ pipeline_add_days(
            'coalesce(latest.latest_event_date, ' ~ pipeline_business_date(as_of_timestamp()) ~ ')', 1
        ) }} as timestamp) as as_of_at,
        {%- endif %}
        latest.latest_event_date,
        latest.latest_deal_event_date
    from latest
    {%- if var('as_of_date', none) is none and pinned_timestamp %}
    cross join (
        select {{ to_business_time("cast('" ~ pinned_timestamp ~ "' as timestamp)") }} as as_of_at
    ) as pinned
    {%- endif %}

)

select
    as_of_date,
    as_of_at,
    latest_event_date,
    latest_deal_event_date
from resolved
