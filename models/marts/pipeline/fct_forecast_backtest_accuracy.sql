with

forecast as (

    select * from {{ ref('int_forecast_backtest_expected') }}

),

-- one row per forecast date, segment and horizon, only the points the horizon scores (the censoring rule):
-- eventual wins at mature month ends (var('backtest_maturity_days') before the as-of date), next-month wins at
-- every replayed month end; and only where every deal open then had a probability
scored as (

    select
        forecast_date,
        source_system,
        segment_type,
        segment_value,
        'eventual' as horizon,
        expected_eventual_wins as expected_wins,
        actual_eventual_wins as actual_wins,
        expected_eventual_revenue as expected_revenue,
        actual_eventual_revenue as actual_revenue
    from forecast
    where is_mature
        and unrated_deals = 0

    union all

    select
        forecast_date,
        source_system,
        segment_type,
        segment_value,
        'next_month' as horizon,
        expected_next_month_wins as expected_wins,
        actual_next_month_wins as actual_wins,
        expected_next_month_revenue as expected_revenue,
        actual_next_month_revenue as actual_revenue
    from forecast
    where next_month_unrated_deals = 0

),

accuracy as (

    select
        source_system,
        segment_type,
        segment_value,
        horizon,
        count(*) as scored_points,
        min(forecast_date) as first_forecast_date,
        max(forecast_date) as last_forecast_date,
        sum(expected_wins) as expected_wins,
        sum(actual_wins) as actual_wins,
        sum(expected_revenue) as expected_revenue,
        sum(actual_revenue) as actual_revenue,
        -- a point with no actual win has no percentage error: MAPE is over the points with one
        count({{ safe_divide('abs(expected_wins - actual_wins)', 'actual_wins') }}) as mape_points,
        avg({{ safe_divide('abs(expected_wins - actual_wins)', 'actual_wins') }}) as mape_wins
    from scored
    group by source_system, segment_type, segment_value, horizon

)

select
    source_system,
    segment_type,
    segment_value,
    horizon,
    scored_points,
    first_forecast_date,
    last_forecast_date,
    expected_wins,
    actual_wins,
    expected_revenue,
    actual_revenue,
    {{ safe_divide('expected_wins - actual_wins', 'actual_wins') }} as bias_wins,
    {{ safe_divide('expected_revenue - actual_revenue', 'actual_revenue') }} as bias_revenue,
    mape_points,
    mape_wins
from accuracy
