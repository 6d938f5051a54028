with

stage_win_rates as (

    select * from {{ ref('int_stage_win_rates') }}

),

plan_window as (

    select * from {{ ref('int_planning_window') }}

),

deal_sizes as (

    select * from {{ ref('int_planning_deal_sizes') }}

),

lead_rates as (

    select * from {{ ref('int_planning_lead_rates') }}

),

-- P(won | reached k) at the as-of point, over all pipelines: the cohort stage win rates
-- (int_stage_win_rates, window var('forecast_window_days')); the deals must reach the stage
stage_rates as (

    select
        stage_win_rates.source_system,
        stage_win_rates.segment_type,
        stage_win_rates.segment_value,
        stage_win_rates.stage,
        min(stage_win_rates.stage_order) as stage_order,
        sum(stage_win_rates.cohort_deals) as cohort_deals,
        {{ safe_divide('sum(stage_win_rates.won_deals)',
            'sum(stage_win_rates.won_deals) + sum(stage_win_rates.lost_deals)') }} as win_probability
    from stage_win_rates
    inner join plan_window
        on stage_win_rates.point_date = plan_window.as_of_date
    group by
        stage_win_rates.source_system,
        stage_win_rates.segment_type,
        stage_win_rates.segment_value,
        stage_win_rates.stage

)

select
    stage_rates.source_system,
    stage_rates.segment_type,
    stage_rates.segment_value,
    stage_rates.stage,
    stage_rates.stage_order,
    stage_rates.cohort_deals,
    stage_rates.win_probability,
    deal_sizes.won_deals,
    deal_sizes.average_deal_size,
    -- deals per lead: the segment's own when leads carry the cut, else the source's overall rate
    -- (product, pipeline and deal type only exist on deals)
    case
        when stage_rates.segment_type in ('product', 'pipeline', 'deal_type') then overall_leads.deals_per_lead
        else own_leads.deals_per_lead
    end as deals_per_lead,
    plan_window.as_of_date,
    cast(plan_window.window_start_at as date) as window_start
from stage_rates
cross join plan_window
left join deal_sizes
    on stage_rates.source_system = deal_sizes.source_system
    and stage_rates.segment_type = deal_sizes.segment_type
    and stage_rates.segment_value = deal_sizes.segment_value
left join lead_rates as own_leads
    on stage_rates.source_system = own_leads.source_system
    and stage_rates.segment_type = own_leads.segment_type
    and stage_rates.segment_value = own_leads.segment_value
left join lead_rates as overall_leads
    on stage_rates.source_system = overall_leads.source_system
    and overall_leads.segment_type = 'all'
