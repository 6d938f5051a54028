{#- P(won | open in stage) at every snapshot point (month ends and the as-of date), per source system,
    pipeline, stage and segment cut: the P of the historical forecast and of the backtest's eventual
    horizon (docs/metrics.md). Among the deals open in the stage at the month ends of the trailing
    var('forecast_window_days') before the point, each counted once per month end it was open there,
    the share won by the point. Deals that stall stay in the denominator, so the rate describes deals
    that are open at a point, which is what the forecast multiplies it with (P(won | reached stage),
    int_stage_win_rates, leaves them out and runs high for them). A deal still open at the point
    counts as not won yet. -#}
with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

states as (

    select * from {{ ref('int_deal_states') }}

),

points as (

    select distinct point_date
    from states

),

-- each deal open at a snapshot point, in the stage it had then, and the day it was won (if it was)
open_then as (

    select
        states.point_date as observed_date,
        deals.source_system,
        deals.pipeline,
        states.stage_at as stage,
        case when deals.is_won then deals.closed_date end as won_date,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.deal_type
    from states
    inner join deals
        on states.deal_key = deals.deal_key
    where states.is_open_at

),

segmented as (

    {{ pipeline_segment_rows('open_then', ['observed_date', 'source_system', 'pipeline', 'stage', 'won_date']) }}

),

-- one row per observation day, stage, cut and win day: what the windows below add up
observed as (

    select
        observed_date,
        source_system,
        pipeline,
        stage,
        segment_type,
        segment_value,
        won_date,
        count(*) as deal_count
    from segmented
    group by observed_date, source_system, pipeline, stage, segment_type, segment_value, won_date

),

-- at each point: the observations of the trailing window before it, and which of them were won by then
windowed as (

    select
        points.point_date,
        observed.source_system,
        observed.pipeline,
        observed.stage,
        observed.segment_type,
        observed.segment_value,
        sum(observed.deal_count) as open_deal_months,
        sum(case when observed.won_date <= points.point_date then observed.deal_count else 0 end) as won_by_point
    from points
    inner join observed
        on observed.observed_date < points.point_date
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
    {{ safe_divide('won_by_point', 'open_deal_months') }} as win_probability
from windowed
