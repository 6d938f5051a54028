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

as_of as (

    select * from {{ ref('int_as_of') }}

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

),

-- one copy per roll-up level: the owner, the owner's manager, team and region
leveled as (

    {%- set levels = [('owner', 'owner_key'), ('manager', 'manager_key'), ('team', 'team'), ('region', 'region')] %}
    {%- for level, column in levels %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        '{{ level }}' as level,
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'unknown') as level_value,
        source_system,
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
    {%- endfor %}

),

aggregated as (

    select
        level,
        level_value,
        source_system,
        sum(is_lead) as leads_owned,
        sum(is_converted) as leads_converted,
        sum(is_won) as deals_won,
        sum(is_lost) as deals_lost,
        coalesce(sum(won_amount), 0) as revenue,
        avg(won_amount) as average_deal_size,
        avg(sales_cycle_days) as sales_cycle_days_mean,
        {{ marts_percentile('sales_cycle_days', 0.5) }} as sales_cycle_days_median,
        sum(is_open) as open_deals,
        coalesce(sum(open_amount), 0) as open_pipeline_amount
    from leveled
    group by level, level_value, source_system

)

select
    aggregated.level,
    aggregated.level_value,
    aggregated.source_system,
    aggregated.leads_owned,
    aggregated.leads_converted,
    -- conversions per 100 leads (semantics, Rep performance)
    100.0 * {{ safe_divide('aggregated.leads_converted', 'aggregated.leads_owned') }} as conversions_per_100_leads,
    aggregated.deals_won,
    aggregated.deals_lost,
    -- win rate (semantics, Pipeline numbers): won / (won + lost)
    {{ safe_divide('aggregated.deals_won', 'aggregated.deals_won + aggregated.deals_lost') }} as win_rate,
    aggregated.revenue,
    aggregated.average_deal_size,
    aggregated.sales_cycle_days_mean,
    aggregated.sales_cycle_days_median,
    aggregated.open_deals,
    aggregated.open_pipeline_amount,
    as_of.as_of_date
from aggregated
cross join as_of
