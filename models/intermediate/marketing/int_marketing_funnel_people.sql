{#- The people of the customer-view marketing funnel (docs/metrics.md):
    every CRM person and every touched identity the CRM does not know, per CRM view, with the cohort
    month of awareness, the channel and the furthest phase. -#}
{#- A view: one row per person or touched identity, read only by fct_marketing_funnel. -#}
{{ config(materialized='view') }}
with

person_phases as (

    select * from {{ ref('int_marketing_person_phases') }}

),

first_touches as (

    select * from {{ ref('int_marketing_first_touches') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

crm_people as (

    select
        person_phases.source_system,
        person_phases.person_key as identity_key,
        -- aware at the first touch or, with no touch on record, at the funnel entry (pass-through);
        -- least skips nulls on both engines
        coalesce(
            least(first_touches.first_touched_at, person_phases.entered_funnel_at),
            person_phases.created_at
        ) as aware_at,
        coalesce(person_phases.channel, first_touches.first_touch_channel, 'unknown') as channel,
        person_phases.furthest_phase
    from person_phases
    left join first_touches
        on person_phases.source_system = first_touches.crm_source_system
        and person_phases.email_hash = first_touches.identity_key

),

-- touched people the CRM does not know (anonymous ids, emails of no person): aware only
touched_only_people as (

    select
        first_touches.crm_source_system as source_system,
        first_touches.identity_key,
        first_touches.first_touched_at as aware_at,
        first_touches.first_touch_channel as channel,
        'awareness' as furthest_phase
    from first_touches
    left join persons
        on first_touches.crm_source_system = persons.source_system
        and first_touches.identity_key = persons.email_hash
    where persons.person_key is null

),

all_people as (

    select source_system, identity_key, aware_at, channel, furthest_phase from crm_people
    union all
    select source_system, identity_key, aware_at, channel, furthest_phase from touched_only_people

),

people_by_channel as (

    select
        source_system,
        identity_key,
        cast({{ dbt.date_trunc('month', to_business_time('aware_at')) }} as date) as cohort_month,
        channel,
        furthest_phase
    from all_people
    where aware_at is not null

)

select
    source_system,
    identity_key,
    cohort_month,
    channel,
    furthest_phase
from people_by_channel
