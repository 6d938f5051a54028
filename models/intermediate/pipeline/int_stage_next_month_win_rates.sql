with

open_deals as (

    select * from {{ ref('int_forecast_backtest_open') }}

),

points as (

    select * from {{ ref('int_forecast_backtest_points') }}

),

-- per past month end and stage: the deals open in it then and how many of them were won in the following month
per_point as (

    select
        forecast_date,
        period_end,
        source_system,
        pipeline,
        stage,
        segment_type,
        segment_value,
        count(*) as open_deals,
        sum(is_won_next_month) as won_next_month
    from open_deals
    group by forecast_date, period_end, source_system, pipeline, stage, segment_type, segment_value

),

-- at each forecast date: the month ends of the trailing var('forecast_window_days') whose following month
-- was over by then (only what was known at the forecast date)
windowed as (

    select
        points.forecast_date as point_date,
        per_point.source_system,
        per_point.pipeline,
        per_point.stage,
        per_point.segment_type,
        per_point.segment_value,
        sum(per_point.open_deals) as open_deal_months,
        sum(per_point.won_next_month) as won_next_month
    from points
    inner join per_point
        on per_point.period_end <= points.forecast_date
        and per_point.forecast_date > {{ pipeline_add_days('points.forecast_date', -var('forecast_window_days', 365)) }}
    group by
        points.forecast_date,
        per_point.source_system,
        per_point.pipeline,
        per_point.stage,
        per_point.segment_type,
        per_point.segment_value

)

select
    point_date,
    source_system,
    pipeline,
    stage,
    segment_type,
    segment_value,
    open_deal_months,
    won_next_month,
    {{ safe_divide('won_next_month', 'open_deal_months') }} as win_probability_next_month
from windowed
