with

facts as (

    select * from {{ ref('int_rep_performance_facts') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

owners as (

    select * from {{ ref('int_owners') }}

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
    -- named after aggregating: one lookup per owner, not a name carried through every fact row
    case
        when aggregated.level in ('owner', 'manager') then owners.owner_name
        when aggregated.level_value <> 'unknown' then aggregated.level_value
    end as level_name,
    aggregated.source_system,
    aggregated.leads_owned,
    aggregated.leads_converted,
    -- conversions per 100 leads (docs/metrics.md)
    100.0 * {{ safe_divide('aggregated.leads_converted', 'aggregated.leads_owned') }} as conversions_per_100_leads,
    aggregated.deals_won,
    aggregated.deals_lost,
    -- win rate (docs/metrics.md): won / (won + lost)
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
left join owners
    on aggregated.level in ('owner', 'manager')
    and aggregated.level_value = owners.owner_key
