{#- Upsell, cross-sell and renewal funnels (docs/metrics.md): deals by deal
    type, each with its own reached / won counts per stage of its pipeline. -#}
with

stage_counts as (

    select * from {{ ref('int_expansion_stage_counts') }}

),

pipeline_stages as (

    select distinct
        source_system,
        pipeline,
        stage,
        stage_order
    from stage_counts

),

deal_types as (

    select distinct
        source_system,
        pipeline,
        deal_type
    from stage_counts

),

-- every stage of the pipeline for every deal type (0 where no deal of the type reached it)
dense as (

    select
        deal_types.source_system,
        deal_types.pipeline,
        deal_types.deal_type,
        pipeline_stages.stage,
        pipeline_stages.stage_order,
        coalesce(stage_counts.deals_reached, 0) as deals_reached,
        coalesce(stage_counts.deals_won, 0) as deals_won,
        coalesce(stage_counts.deals_lost_at_stage, 0) as deals_lost_at_stage,
        coalesce(stage_counts.deals_open_at_stage, 0) as deals_open_at_stage,
        coalesce(stage_counts.won_amount_reporting, 0) as won_amount_reporting
    from deal_types
    inner join pipeline_stages
        on deal_types.source_system = pipeline_stages.source_system
        and deal_types.pipeline = pipeline_stages.pipeline
    left join stage_counts
        on deal_types.source_system = stage_counts.source_system
        and deal_types.pipeline = stage_counts.pipeline
        and deal_types.deal_type = stage_counts.deal_type
        and pipeline_stages.stage = stage_counts.stage

),

with_denominators as (

    select
        *,
        lag(deals_reached) over (
            partition by source_system, pipeline, deal_type order by stage_order
        ) as deals_reached_previous_stage,
        max(deals_reached) over (partition by source_system, pipeline, deal_type) as deals_in_funnel
    from dense

),

final as (

    select
        source_system,
        pipeline,
        deal_type,
        stage,
        stage_order,
        deals_in_funnel,
        deals_reached,
        deals_reached_previous_stage,
        -- conversions, see docs/metrics.md
        {{ safe_divide('deals_reached', 'deals_reached_previous_stage') }} as conversion_from_previous,
        {{ safe_divide('deals_reached', 'deals_in_funnel') }} as conversion_from_top,
        deals_won,
        -- P(won | reached stage), see docs/metrics.md
        {{ safe_divide('deals_won', 'deals_reached') }} as win_rate_from_stage,
        deals_lost_at_stage,
        deals_open_at_stage,
        won_amount_reporting
    from with_denominators

)

select
    source_system,
    pipeline,
    deal_type,
    stage,
    stage_order,
    deals_in_funnel,
    deals_reached,
    deals_reached_previous_stage,
    conversion_from_previous,
    conversion_from_top,
    deals_won,
    win_rate_from_stage,
    deals_lost_at_stage,
    deals_open_at_stage,
    won_amount_reporting
from final
