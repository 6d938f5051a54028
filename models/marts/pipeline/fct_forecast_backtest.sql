with

-- the replayed forecast per forecast date and segment: open deals then, expected and actual wins
forecast as (

    select * from {{ ref('int_forecast_backtest_expected') }}

),

-- every deal won in the following month, per forecast date and segment
actuals as (

    select * from {{ ref('int_forecast_backtest_actuals') }}

),

keys as (

    select forecast_date, period_end, source_system, segment_type, segment_value from forecast
    union
    select forecast_date, period_end, source_system, segment_type, segment_value from actuals

)

select
    keys.forecast_date,
    keys.period_end,
    keys.source_system,
    keys.segment_type,
    keys.segment_value,
    coalesce(forecast.open_deals, 0) as open_deals,
    coalesce(forecast.open_amount, 0) as open_amount,
    coalesce(forecast.expected_wins, 0) as expected_wins,
    coalesce(forecast.expected_revenue, 0) as expected_revenue,
    coalesce(forecast.actual_wins_from_open, 0) as actual_wins_from_open,
    coalesce(forecast.actual_revenue_from_open, 0) as actual_revenue_from_open,
    coalesce(actuals.actual_wins, 0) as actual_wins,
    coalesce(actuals.actual_revenue, 0) as actual_revenue,
    coalesce(forecast.expected_wins, 0) - coalesce(forecast.actual_wins_from_open, 0) as forecast_error_wins
from keys
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
