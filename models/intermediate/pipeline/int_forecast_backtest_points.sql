with

states as (

    select * from {{ ref('int_deal_states') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- replay points: past month ends whose whole next month is known at the as-of date
replay_points as (

    select distinct
        states.point_date as forecast_date,
        {{ pipeline_add_days(dbt.dateadd('month', 1, pipeline_add_days('states.point_date', 1)), -1) }} as period_end
    from states
    cross join as_of
    where not states.is_as_of
        or extract(day from {{ pipeline_add_days('states.point_date', 1) }}) = 1

),

-- mature: at least var('backtest_maturity_days') before the as-of date, so the deals open then have
-- had time to close; only mature points score the eventual forecast (the censoring rule)
complete_points as (

    select
        replay_points.forecast_date,
        replay_points.period_end,
        replay_points.forecast_date <= {{ pipeline_add_days('as_of.as_of_date', -var('backtest_maturity_days', 180)) }}
            as is_mature
    from replay_points
    cross join as_of
    where replay_points.period_end <= as_of.as_of_date

)

select
    forecast_date,
    period_end,
    is_mature
from complete_points
