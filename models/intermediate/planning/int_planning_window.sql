with

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- the measuring window: var('plan_window_days') days up to the end of the as-of day
plan_window as (

    select
        as_of_date,
        as_of_at,
        cast({{ pipeline_add_days('as_of_date', 1 - var('plan_window_days', 365)) }} as timestamp) as window_start_at
    from as_of

)

select
    as_of_date,
    as_of_at,
    window_start_at
from plan_window
