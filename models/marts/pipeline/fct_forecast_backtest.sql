with

-- the replayed forecasts per forecast date and segment: the deals open then, their expected wins (eventual and
-- next month) and what became of them
forecast as (

    select * from {{ ref('int_forecast_backtest_expected') }}

),

-- every deal won in the following month, per forecast date and segment
actuals as (

    select * from {{ ref('int_forecast_backtest_actuals') }}

),

points as (

    select * from {{ ref('int_forecast_backtest_points') }}

),

keys as (

    select forecast_date, source_system, segment_type, segment_value from forecast
    union
    select forecast_date, source_system, segment_type, segment_value from actuals

)

select
    keys.forecast_date,
    points.period_end,
    points.is_mature,
    keys.source_system,
    keys.segment_type,
    keys.segment_value,
    coalesce(forecast.open_deals, 0) as open_deals,
    coalesce(forecast.open_amount, 0) as open_amount,
    coalesce(forecast.expected_eventual_wins, 0) as expected_eventual_wins,
    coalesce(forecast.expected_eventual_revenue, 0) as expected_eventual_revenue,
    coalesce(forecast.unrated_deals, 0) as unrated_deals,
    coalesce(forecast.actual_eventual_wins, 0) as actual_eventual_wins,
    coalesce(forecast.actual_eventual_revenue, 0) as actual_eventual_revenue,
    coalesce(forecast.still_open_deals, 0) as still_open_deals,
    coalesce(forecast.expected_next_month_wins, 0) as expected_next_month_wins,
    coalesce(forecast.expected_next_month_revenue, 0) as expected_next_month_revenue,
    coalesce(forecast.next_month_unrated_deals, 0) as next_month_unrated_deals,
    coalesce(forecast.actual_next_month_wins, 0) as actual_next_month_wins,
    coalesce(forecast.actual_next_month_revenue, 0) as actual_next_month_revenue,
    coalesce(actuals.actual_wins, 0) as actual_wins,
    coalesce(actuals.actual_revenue, 0) as actual_revenue,
    coalesce(forecast.expected_eventual_wins, 0) - coalesce(forecast.actual_eventual_wins, 0)
        as eventual_error_wins,
    coalesce(forecast.expected_next_month_wins, 0) - coalesce(forecast.actual_next_month_wins, 0)
        as next_month_error_wins
from keys
inner join points
    on keys.forecast_date = points.forecast_date
left join forecast
    on keys.forecast_date = forecast.forecast_date
    and keys.source_system = forecast.source_system
    and keys.segment_type = forecast.segment_type
    and keys.segment_value = forecast.segment_value
left join actuals
    on keys.forecast_date = actuals.forecast_date
    and keys.source_system = actuals.source_system
    and keys.segment_type = actuals.segment_type
    and keys.segment_value = actuals.segment_value
