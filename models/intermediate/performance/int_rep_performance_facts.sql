{#- The facts of rep performance (docs/metrics.md): one row per owned person (a lead,
    converted when it reached var('rep_conversion_stage')) and one per deal (won, lost or open, with its
    amount and sales cycle), with the owner's manager, team and region for the roll-ups. -#}
{#- A view: one row per person or deal, read only by fct_rep_performance. -#}
{{ config(materialized='view') }}
with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

person_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

-- a conversion: an owned lead that reached var('rep_conversion_stage') (default opportunity)
converted as (

    select distinct person_key
    from person_reach
    where stage = '{{ var("rep_conversion_stage", "opportunity") }}'

),

lead_facts as (

    select
        persons.source_system,
        persons.owner_key,
        1 as is_lead,
        case when converted.person_key is not null then 1 else 0 end as is_converted,
        0 as is_won,
        0 as is_lost,
        0 as is_open,
        cast(null as double) as won_amount,
        cast(null as double) as lost_amount,
        cast(null as double) as open_amount,
        cast(null as double) as sales_cycle_days
    from persons
    left join converted
        on persons.person_key = converted.person_key

),

deal_facts as (

    select
        source_system,
        owner_key,
        0 as is_lead,
        0 as is_converted,
        case when is_won then 1 else 0 end as is_won,
        case when is_lost then 1 else 0 end as is_lost,
        case when is_open then 1 else 0 end as is_open,
        case when is_won then amount_reporting end as won_amount,
        case when is_lost then amount_reporting end as lost_amount,
        case when is_open then amount_reporting end as open_amount,
        sales_cycle_days
    from deals

),

facts as (

    select
        facts.*,
        owners.manager_key,
        owners.team,
        owners.region
    from (
        select * from lead_facts
        union all
        select * from deal_facts
    ) as facts
    left join owners
        on facts.owner_key = owners.owner_key

)

select
    source_system,
    owner_key,
    manager_key,
    team,
    region,
    is_lead,
    is_converted,
    is_won,
    is_lost,
    is_open,
    won_amount,
    lost_amount,
    open_amount,
    sales_cycle_days
from facts
