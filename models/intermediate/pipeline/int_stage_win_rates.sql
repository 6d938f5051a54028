with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

states as (

    select * from {{ ref('int_deal_states') }}

),

reach as (

    select * from {{ ref('int_deal_stage_reach') }}

),

-- per snapshot point: the deals that reached a stage within the trailing
-- var('forecast_window_days') days up to the point, and their outcome as known at the point
cohort as (

    select
        states.point_date,
        reach.source_system,
        reach.pipeline,
        reach.stage,
        reach.stage_order,
        reach.deal_key,
        case when states.is_won_at then 1 else 0 end as is_won_at,
        case when states.is_lost_at then 1 else 0 end as is_lost_at
    from reach
    inner join states
        on reach.deal_key = states.deal_key
    where
        {{ to_business_time('reach.reached_at') }} < cast({{ pipeline_add_days('states.point_date', 1) }} as timestamp)
        and {{ to_business_time('reach.reached_at') }} >= cast(
            {{ pipeline_add_days('states.point_date', 1 - var('forecast_window_days', 365)) }} as timestamp
        )
        and not {{ is_won_deal_stage('reach.stage') }}

),

cohort_deals as (

    select
        cohort.point_date,
        cohort.source_system,
        cohort.pipeline,
        cohort.stage,
        cohort.stage_order,
        cohort.is_won_at,
        cohort.is_lost_at,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.deal_type
    from cohort
    inner join deals
        on cohort.deal_key = deals.deal_key

),

segmented as (

    {{ pipeline_segment_rows('cohort_deals', [
        'point_date', 'source_system', 'pipeline', 'stage', 'stage_order', 'is_won_at', 'is_lost_at']) }}

),

final as (

    select
        point_date,
        source_system,
        pipeline,
        stage,
        segment_type,
        segment_value,
        min(stage_order) as stage_order,
        count(*) as cohort_deals,
        sum(is_won_at) as won_deals,
        sum(is_lost_at) as lost_deals,
        -- P(won | reached stage) (docs/metrics.md): cohort conversion to won among the
        -- cohort deals whose outcome is known at the point (still-open deals have no outcome yet)
        {{ safe_divide('sum(is_won_at)', 'sum(is_won_at) + sum(is_lost_at)') }} as win_probability
    from segmented
    group by
        point_date,
        source_system,
        pipeline,
        stage,
        segment_type,
        segment_value

)

select
    point_date,
    source_system,
    pipeline,
    stage,
    stage_order,
    segment_type,
    segment_value,
    cohort_deals,
    won_deals,
    lost_deals,
    win_probability
from final
