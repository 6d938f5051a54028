{#- Each CRM person's furthest marketing phase (docs/metrics.md):
    advocacy, loyalty, conversion, consideration or awareness, with the funnel entry. -#}
{#- A view: one row per person, read only by int_marketing_funnel_people. -#}
{{ config(materialized='view') }}
with

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

person_stage_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

person_entries as (

    select
        person_key,
        min(reached_at) as entered_funnel_at,
        max(case when stage = 'lead' then 1 else 0 end) as has_reached_lead
    from person_stage_reach
    group by person_key

),

won_deals as (

    select
        person_key,
        count(*) as won_deals,
        max(case when deal_type in ('renewal', 'upsell') then 1 else 0 end) as has_won_renewal_or_upsell
    from deals
    where is_won
        and person_key is not null
    group by person_key

),

-- referrers: people named by a referral touch of a person who became a lead
referred_leads as (

    select distinct
        persons.source_system,
        touches.referred_by_email_hash
    from touches
    inner join persons
        on touches.person_email_hash = persons.email_hash
        and (touches.is_shared_source or touches.source_system = persons.source_system)
    inner join person_entries
        on persons.person_key = person_entries.person_key
    where touches.referred_by_email_hash is not null
        and person_entries.has_reached_lead = 1

),

person_phases as (

    select
        persons.person_key,
        persons.source_system,
        persons.email_hash,
        persons.channel,
        persons.created_at,
        person_entries.entered_funnel_at,
        -- the furthest phase, see docs/metrics.md
        case
            when referred_leads.referred_by_email_hash is not null then 'advocacy'
            when won_deals.won_deals >= 2 or won_deals.has_won_renewal_or_upsell = 1 then 'loyalty'
            when won_deals.won_deals >= 1 then 'conversion'
            when person_entries.has_reached_lead = 1 then 'consideration'
            else 'awareness'
        end as furthest_phase
    from persons
    left join person_entries
        on persons.person_key = person_entries.person_key
    left join won_deals
        on persons.person_key = won_deals.person_key
    left join referred_leads
        on persons.source_system = referred_leads.source_system
        and persons.email_hash = referred_leads.referred_by_email_hash

)

select
    person_key,
    source_system,
    email_hash,
    channel,
    created_at,
    entered_funnel_at,
    furthest_phase
from person_phases
