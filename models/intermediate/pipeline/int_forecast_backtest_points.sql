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

complete_points as (

    select replay_points.*
    from replay_points
    cross join as_of
    where replay_points.period_end <= as_of.as_of_date

)

select
    forecast_date,
    period_end
from complete_points
