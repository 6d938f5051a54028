with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

states as (

    select * from {{ ref('int_deal_states') }}

),

points as (

    select * from {{ ref('int_forecast_backtest_points') }}

),

-- what was open at the forecast date, in the stage it had then, and what became of it
open_then as (

    select
        points.forecast_date,
        points.period_end,
        points.is_mature,
        deals.source_system,
        deals.pipeline,
        states.stage_at as stage,
        deals.deal_key,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.deal_type,
        deals.amount_reporting,
        -- open at the forecast date and won at the as-of date: won after the forecast date
        case when deals.is_won then 1 else 0 end as is_won_eventually,
        case
            when deals.is_won and deals.closed_date > points.forecast_date
                and deals.closed_date <= points.period_end then 1
            else 0
        end as is_won_next_month,
        case when deals.is_open then 1 else 0 end as is_open_at_as_of,
        -- when it was won, for the win rates measured at later points (int_stage_open_win_rates)
        case when deals.is_won then deals.closed_date end as won_date
    from states
    inner join points
        on states.point_date = points.forecast_date
    inner join deals
        on states.deal_key = deals.deal_key
    where states.is_open_at

),

segmented as (

    {{ pipeline_segment_rows('open_then', [
        'forecast_date', 'period_end', 'is_mature', 'source_system', 'pipeline', 'stage', 'deal_key',
        'amount_reporting', 'is_won_eventually', 'is_won_next_month', 'is_open_at_as_of', 'won_date']) }}

)

select
    forecast_date,
    period_end,
    is_mature,
    source_system,
    pipeline,
    stage,
    segment_type,
    segment_value,
    deal_key,
    amount_reporting,
    is_won_eventually,
    is_won_next_month,
    is_open_at_as_of,
    won_date
from segmented
