with

targets as (

    select * from {{ ref('revenue_targets') }}

),

rates as (

    select * from {{ ref('int_planning_conversion_rates') }}

),

-- `*` plans the target for every source system of the warehouse, each on its own
target_rows as (

    select
        targets.period,
        rates.source_system,
        targets.segment_type,
        targets.segment_value,
        targets.target_revenue
    from targets
    inner join (select distinct source_system from rates) as rates
        on targets.source_system in ('*', rates.source_system)

),

stage_plan as (

    select
        target_rows.period,
        target_rows.source_system,
        target_rows.segment_type,
        target_rows.segment_value,
        target_rows.target_revenue,
        rates.average_deal_size,
        -- reverse funnel plan (docs/metrics.md): deals needed = target / average deal size
        {{ safe_divide('target_rows.target_revenue', 'rates.average_deal_size') }} as deals_needed,
        rates.stage,
        rates.stage_order,
        rates.win_probability,
        rates.deals_per_lead,
        rates.as_of_date,
        rates.window_start,
        -- the top stage: the lowest-ordered stage the window measured
        row_number() over (
            partition by
                target_rows.period, target_rows.source_system, target_rows.segment_type, target_rows.segment_value
            order by rates.stage_order
        ) as stage_rank
    from target_rows
    inner join rates
        on target_rows.source_system = rates.source_system
        and target_rows.segment_type = rates.segment_type
        and target_rows.segment_value = rates.segment_value

),

final as (

    select
        stage_plan.*,
        -- needed at stage k = deals needed / P(won | reached k)
        {{ safe_divide('deals_needed', 'win_probability') }} as needed_at_stage
    from stage_plan

)

select
    period,
    source_system,
    segment_type,
    segment_value,
    target_revenue,
    average_deal_size,
    deals_needed,
    stage,
    stage_order,
    stage_rank = 1 as is_top_stage,
    win_probability,
    needed_at_stage,
    deals_per_lead,
    -- leads needed at the top: deals needed at the top stage / deals per lead (only on the top stage row)
    case when stage_rank = 1 then {{ safe_divide('needed_at_stage', 'deals_per_lead') }} end as leads_needed,
    as_of_date,
    window_start
from final
