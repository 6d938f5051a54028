{#- One row per entity (person or deal) with the segment attributes the funnel cuts by: its owner,
    the owner's manager / team / region, channel, product, deal type and the account's customer
    segment. -#}
{#- A view: one row per person and deal, read only by int_funnel_stage_reach, which stores them on
    every stage row. -#}
{{ config(materialized='view') }}

with

persons as (

    select * from {{ ref('int_persons') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

),

owner_attributes as (

    select
        owner_key,
        manager_key,
        team,
        region
    from owners

),

entity_attributes as (

    select
        'person' as entity_type,
        persons.person_key as entity_key,
        persons.owner_key,
        persons.channel,
        cast(null as {{ dbt.type_string() }}) as product,
        accounts.customer_segment,
        cast(null as {{ dbt.type_string() }}) as deal_type
    from persons
    left join accounts
        on persons.account_key = accounts.account_key

    union all

    select
        'deal' as entity_type,
        deals.deal_key as entity_key,
        deals.owner_key,
        deals.channel,
        deals.product,
        accounts.customer_segment,
        deals.deal_type
    from deals
    left join accounts
        on deals.account_key = accounts.account_key

),

with_owner as (

    select
        entity_attributes.entity_type,
        entity_attributes.entity_key,
        entity_attributes.owner_key,
        owner_attributes.manager_key,
        owner_attributes.team,
        owner_attributes.region,
        entity_attributes.channel,
        entity_attributes.product,
        entity_attributes.customer_segment,
        entity_attributes.deal_type
    from entity_attributes
    left join owner_attributes
        on entity_attributes.owner_key = owner_attributes.owner_key

)

select
    entity_type,
    entity_key,
    owner_key,
    manager_key,
    team,
    region,
    channel,
    product,
    customer_segment,
    deal_type
from with_owner
