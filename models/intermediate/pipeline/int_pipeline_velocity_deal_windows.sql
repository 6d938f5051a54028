-- a view: one row per deal and window it counts in, read only by fct_pipeline_velocity
{{ config(materialized='view') }}

with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

states as (

    select * from {{ ref('int_deal_states') }}

),

windows as (

    select * from {{ ref('int_pipeline_velocity_windows') }}

),

-- deals closed inside a window (a range join on a few dozen windows)
closed_in_window as (

    select
        windows.window_type,
        windows.window_start,
        windows.window_end,
        deals.deal_key,
        0 as is_open_qualified,
        case when deals.is_won then 1 else 0 end as is_won,
        case when deals.is_lost then 1 else 0 end as is_lost,
        case when deals.is_won then deals.amount_reporting end as won_amount,
        case when deals.is_lost then deals.amount_reporting end as lost_amount,
        deals.sales_cycle_days
    from deals
    inner join windows
        on deals.closed_date >= windows.window_start
        and deals.closed_date <= windows.window_end
    where deals.is_closed

),

-- open qualified deals at the window end (their state at that day, from the spells)
open_at_end as (

    select
        windows.window_type,
        windows.window_start,
        windows.window_end,
        states.deal_key,
        1 as is_open_qualified,
        0 as is_won,
        0 as is_lost,
        cast(null as double) as won_amount,
        cast(null as double) as lost_amount,
        cast(null as double) as sales_cycle_days
    from states
    inner join windows
        on states.point_date = windows.measured_at_date
    where states.is_open_at
        and states.is_qualified_at

),

deal_windows as (

    select
        facts.window_type,
        facts.window_start,
        facts.window_end,
        facts.deal_key,
        facts.is_open_qualified,
        facts.is_won,
        facts.is_lost,
        facts.won_amount,
        facts.lost_amount,
        facts.sales_cycle_days,
        deals.source_system,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.pipeline,
        deals.deal_type
    from (
        select * from closed_in_window
        union all
        select * from open_at_end
    ) as facts
    inner join deals
        on facts.deal_key = deals.deal_key

)

select
    window_type,
    window_start,
    window_end,
    deal_key,
    is_open_qualified,
    is_won,
    is_lost,
    won_amount,
    lost_amount,
    sales_cycle_days,
    source_system,
    owner_key,
    manager_key,
    team,
    region,
    channel,
    product,
    customer_segment,
    pipeline,
    deal_type
from deal_windows
