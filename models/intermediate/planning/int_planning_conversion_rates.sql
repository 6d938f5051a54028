with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

stage_win_rates as (

    select * from {{ ref('int_stage_win_rates') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- the measuring window: var('plan_window_days') days up to the end of the as-of day
plan_window as (

    select
        as_of_date,
        as_of_at,
        cast({{ pipeline_add_days('as_of_date', 1 - var('plan_window_days', 365)) }} as timestamp) as window_start_at
    from as_of

),

-- P(won | reached k) at the as-of point, over all pipelines: the forecast's stage win rates
-- (int_stage_win_rates, window var('forecast_window_days')), so plan and forecast agree
stage_rates as (

    select
        stage_win_rates.source_system,
        stage_win_rates.segment_type,
        stage_win_rates.segment_value,
        stage_win_rates.stage,
        min(stage_win_rates.stage_order) as stage_order,
        sum(stage_win_rates.cohort_deals) as cohort_deals,
        {{ safe_divide('sum(stage_win_rates.won_deals)',
            'sum(stage_win_rates.won_deals) + sum(stage_win_rates.lost_deals)') }} as win_probability
    from stage_win_rates
    inner join plan_window
        on stage_win_rates.point_date = plan_window.as_of_date
    group by
        stage_win_rates.source_system,
        stage_win_rates.segment_type,
        stage_win_rates.segment_value,
        stage_win_rates.stage

),

won_in_window as (

    select
        deals.source_system,
        deals.amount_reporting,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.pipeline,
        deals.deal_type
    from deals
    cross join plan_window
    where deals.is_won
        and {{ to_business_time('deals.closed_at') }} >= plan_window.window_start_at
        and {{ to_business_time('deals.closed_at') }} < plan_window.as_of_at

),

segmented_won as (

    {{ pipeline_segment_rows('won_in_window', ['source_system', 'amount_reporting']) }}

),

deal_sizes as (

    select
        source_system,
        segment_type,
        segment_value,
        count(*) as won_deals,
        -- average deal size (semantics, Pipeline numbers)
        avg(amount_reporting) as average_deal_size
    from segmented_won
    group by source_system, segment_type, segment_value

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
    stage_rates.source_system,
    stage_rates.segment_type,
    stage_rates.segment_value,
    stage_rates.stage,
    stage_rates.stage_order,
    stage_rates.cohort_deals,
    stage_rates.win_probability,
    deal_sizes.won_deals,
    deal_sizes.average_deal_size,
    -- deals per lead: the segment's own when leads carry the cut, else the source's overall rate
    -- (product, pipeline and deal type only exist on deals)
    case
        when stage_rates.segment_type in ('product', 'pipeline', 'deal_type') then overall_leads.deals_per_lead
        else own_leads.deals_per_lead
    end as deals_per_lead,
    plan_window.as_of_date,
    cast(plan_window.window_start_at as date) as window_start
from stage_rates
cross join plan_window
left join deal_sizes
    on stage_rates.source_system = deal_sizes.source_system
    and stage_rates.segment_type = deal_sizes.segment_type
    and stage_rates.segment_value = deal_sizes.segment_value
left join lead_rates as own_leads
    on stage_rates.source_system = own_leads.source_system
    and stage_rates.segment_type = own_leads.segment_type
    and stage_rates.segment_value = own_leads.segment_value
left join lead_rates as overall_leads
    on stage_rates.source_system = overall_leads.source_system
    and overall_leads.segment_type = 'all'
