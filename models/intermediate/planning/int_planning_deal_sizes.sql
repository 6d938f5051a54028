with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

plan_window as (

    select * from {{ ref('int_planning_window') }}

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
        -- average deal size (docs/metrics.md)
        avg(amount_reporting) as average_deal_size
    from segmented_won
    group by source_system, segment_type, segment_value

)

select
    source_system,
    segment_type,
    segment_value,
    won_deals,
    average_deal_size
from deal_sizes
