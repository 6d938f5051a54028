{#- The win rates of open deals at every forecast point (the backtest's month ends and the as-of date),
    per source system, pipeline, stage and segment cut (docs/metrics.md). The observations: the deals
    open in the stage at the month ends of the trailing var('forecast_window_days') before the point
    whose following month was over by then (int_forecast_backtest_open), a deal once per month end it
    was open there. Of them:
    - P(won | open in stage), the P of the historical forecast and of the backtest's eventual horizon:
      the share won by the point. Deals that stall stay in the denominator, so the rate describes deals
      that are open at a point, which is what the forecast multiplies it with (P(won | reached stage),
      int_stage_win_rates, leaves them out and runs high for them); a deal still open at the point
      counts as not won yet.
    - P(won in the next month | open in stage), the backtest's next-month horizon: the share won in the
      month after their month end. -#}
with

open_deals as (

    select * from {{ ref('int_forecast_backtest_open') }}

),

backtest_points as (

    select * from {{ ref('int_forecast_backtest_points') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

points as (

    select forecast_date as point_date from backtest_points
    union
    select as_of_date as point_date from as_of

),

-- one row per month end, stage, cut and win day: what the windows below add up
observed as (

    select
        forecast_date as observed_date,
        period_end,
        source_system,
        pipeline,
        stage,
        segment_type,
        segment_value,
        won_date,
        count(*) as deal_count,
        sum(is_won_next_month) as won_next_month
    from open_deals
    group by forecast_date, period_end, source_system, pipeline, stage, segment_type, segment_value, won_date

),

-- at each point: the observations of the trailing window whose following month was over by then, and
-- which of them were won by the point and in the month after their month end
windowed as (

    select
        points.point_date,
        observed.source_system,
        observed.pipeline,
        observed.stage,
        observed.segment_type,
        observed.segment_value,
        sum(observed.deal_count) as open_deal_months,
        sum(case when observed.won_date <= points.point_date then observed.deal_count else 0 end) as won_by_point,
        sum(observed.won_next_month) as won_next_month
    from points
    inner join observed
        on observed.period_end <= points.point_date
        and observed.observed_date > {{ pipeline_add_days('points.point_date', -var('forecast_window_days', 365)) }}
    group by
        points.point_date,
        observed.source_system,
        observed.pipeline,
        observed.stage,
        observed.segment_type,
        observed.segment_value

)

select
    point_date,
    source_system,
    pipeline,
    stage,
    segment_type,
    segment_value,
    open_deal_months,
    won_by_point,
    won_next_month,
    {{ safe_divide('won_by_point', 'open_deal_months') }} as win_probability,
    {{ safe_divide('won_next_month', 'open_deal_months') }} as win_probability_next_month
from windowed
