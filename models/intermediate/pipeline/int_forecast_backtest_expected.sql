with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

states as (

    select * from {{ ref('int_deal_states') }}

),

win_rates as (

    select * from {{ ref('int_stage_win_rates') }}

),

complete_points as (

    select * from {{ ref('int_forecast_backtest_points') }}

),

-- what was open at the forecast date, in the stage it had then
open_then as (

    select
        complete_points.forecast_date,
        complete_points.period_end,
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
        case
            when deals.is_won and deals.closed_date > complete_points.forecast_date
                and deals.closed_date <= complete_points.period_end then 1
            else 0
        end as is_won_in_period
    from states
    inner join complete_points
        on states.point_date = complete_points.forecast_date
    inner join deals
        on states.deal_key = deals.deal_key
    where states.is_open_at

),

segmented_open as (

    {{ pipeline_segment_rows('open_then', [
        'forecast_date', 'period_end', 'source_system', 'pipeline', 'stage', 'amount_reporting', 'is_won_in_period']) }}

),

-- P from the trailing window before the forecast date (outcomes known then), own segment else 'all'
forecast as (

    select
        segmented_open.forecast_date,
        segmented_open.period_end,
        segmented_open.source_system,
        segmented_open.segment_type,
        segmented_open.segment_value,
        count(*) as open_deals,
        coalesce(sum(segmented_open.amount_reporting), 0) as open_amount,
        coalesce(sum(coalesce(own.win_probability, overall.win_probability)), 0) as expected_wins,
        coalesce(sum(segmented_open.amount_reporting * coalesce(own.win_probability, overall.win_probability)), 0)
            as expected_revenue,
        sum(segmented_open.is_won_in_period) as actual_wins_from_open,
        coalesce(sum(case when segmented_open.is_won_in_period = 1 then segmented_open.amount_reporting end), 0)
            as actual_revenue_from_open
    from segmented_open
    left join win_rates as own
        on segmented_open.forecast_date = own.point_date
        and segmented_open.source_system = own.source_system
        and segmented_open.pipeline = own.pipeline
        and segmented_open.stage = own.stage
        and segmented_open.segment_type = own.segment_type
        and segmented_open.segment_value = own.segment_value
    left join win_rates as overall
        on segmented_open.forecast_date = overall.point_date
        and segmented_open.source_system = overall.source_system
        and segmented_open.pipeline = overall.pipeline
        and segmented_open.stage = overall.stage
        and overall.segment_type = 'all'
    group by
        segmented_open.forecast_date,
        segmented_open.period_end,
        segmented_open.source_system,
        segmented_open.segment_type,
        segmented_open.segment_value

)

select
    forecast_date,
    period_end,
    source_system,
    segment_type,
    segment_value,
    open_deals,
    open_amount,
    expected_wins,
    expected_revenue,
    actual_wins_from_open,
    actual_revenue_from_open
from forecast
