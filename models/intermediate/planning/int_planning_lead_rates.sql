with

persons as (

    select * from {{ ref('int_persons') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

),

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

plan_window as (

    select * from {{ ref('int_planning_window') }}

),

-- leads created in the window and the deals created in the window, per segment: deals per lead
window_leads as (

    select
        persons.source_system,
        persons.owner_key,
        owners.manager_key,
        owners.team,
        owners.region,
        persons.channel,
        cast(null as {{ dbt.type_string() }}) as product,
        accounts.customer_segment,
        cast(null as {{ dbt.type_string() }}) as pipeline,
        cast(null as {{ dbt.type_string() }}) as deal_type,
        1 as is_lead,
        0 as is_deal
    from persons
    cross join plan_window
    left join owners
        on persons.owner_key = owners.owner_key
    left join accounts
        on persons.account_key = accounts.account_key
    where {{ to_business_time('persons.created_at') }} >= plan_window.window_start_at
        and {{ to_business_time('persons.created_at') }} < plan_window.as_of_at

    union all

    select
        deals.source_system,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.pipeline,
        deals.deal_type,
        0 as is_lead,
        1 as is_deal
    from deals
    cross join plan_window
    where {{ to_business_time('deals.created_at') }} >= plan_window.window_start_at
        and {{ to_business_time('deals.created_at') }} < plan_window.as_of_at

),

segmented_leads as (

    {{ pipeline_segment_rows('window_leads', ['source_system', 'is_lead', 'is_deal']) }}

),

lead_rates as (

    select
        source_system,
        segment_type,
        segment_value,
        sum(is_lead) as window_leads,
        sum(is_deal) as window_deals,
        {{ safe_divide('sum(is_deal)', 'sum(is_lead)') }} as deals_per_lead
    from segmented_leads
    group by source_system, segment_type, segment_value

)

select
    source_system,
    segment_type,
    segment_value,
    window_leads,
    window_deals,
    deals_per_lead
from lead_rates
