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

),

-- every deal won in the period, open at the forecast date or created after it
won_in_period as (

    select
        complete_points.forecast_date,
        complete_points.period_end,
        deals.source_system,
        deals.amount_reporting,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.pipeline,
        deals.deal_type
    from deals
    inner join complete_points
        on deals.closed_date > complete_points.forecast_date
        and deals.closed_date <= complete_points.period_end
    where deals.is_won

),

segmented_won as (

    {{ pipeline_segment_rows('won_in_period', [
        'forecast_date', 'period_end', 'source_system', 'amount_reporting']) }}

),

actuals as (

    select
        forecast_date,
        period_end,
        source_system,
        segment_type,
        segment_value,
        count(*) as actual_wins,
        coalesce(sum(amount_reporting), 0) as actual_revenue
    from segmented_won
    group by forecast_date, period_end, source_system, segment_type, segment_value

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
