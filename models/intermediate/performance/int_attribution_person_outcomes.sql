{#- The outcomes attribution credits (docs/metrics.md), per person: lead / mql /
    opportunity / customer reached, won deals, won revenue and pipeline sourced, with the first
    opportunity that ends the person's attributable touches. -#}
{#- A view: one row per person, read only by int_attribution. -#}
{{ config(materialized='view') }}
with

persons as (

    select * from {{ ref('int_persons') }}

),

person_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

person_stages as (

    select
        person_key,
        max(case when stage = 'lead' then 1 else 0 end) as is_lead,
        max(case when stage = 'mql' then 1 else 0 end) as is_mql,
        max(case when stage = 'opportunity' then 1 else 0 end) as is_opportunity,
        max(case when stage = 'customer' then 1 else 0 end) as is_new_customer,
        min(case when stage = 'opportunity' then reached_at end) as opportunity_at
    from person_reach
    group by person_key

),

person_deals as (

    select
        person_key,
        count(case when is_won then 1 end) as wins,
        coalesce(sum(case when is_won then amount_reporting end), 0) as revenue,
        -- pipeline sourced: every deal the person brought, at its amount
        coalesce(sum(amount_reporting), 0) as pipeline_sourced
    from deals
    where person_key is not null
    group by person_key

),

outcomes as (

    select
        persons.person_key,
        persons.source_system,
        persons.email_hash,
        coalesce(persons.channel, 'unknown') as crm_channel,
        coalesce(person_stages.is_lead, 0) as is_lead,
        coalesce(person_stages.is_mql, 0) as is_mql,
        coalesce(person_stages.is_opportunity, 0) as is_opportunity,
        coalesce(person_stages.is_new_customer, 0) as is_new_customer,
        coalesce(person_deals.wins, 0) as wins,
        coalesce(person_deals.revenue, 0) as revenue,
        coalesce(person_deals.pipeline_sourced, 0) as pipeline_sourced,
        person_stages.opportunity_at
    from persons
    left join person_stages
        on persons.person_key = person_stages.person_key
    left join person_deals
        on persons.person_key = person_deals.person_key

)

select
    person_key,
    source_system,
    email_hash,
    crm_channel,
    is_lead,
    is_mql,
    is_opportunity,
    is_new_customer,
    wins,
    revenue,
    pipeline_sourced,
    opportunity_at
from outcomes
