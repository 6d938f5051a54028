{#- Deals per deal type and stage of their pipeline (docs/metrics.md):
    reached / won / lost / open counts, only for the stages a deal of the type reached. -#}
with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

deal_stage_reach as (

    select
        stage_reach.source_system,
        stage_reach.pipeline,
        coalesce(stage_reach.deal_type, 'unknown') as deal_type,
        stage_reach.stage,
        stage_reach.stage_order,
        stage_reach.is_lost_at_stage,
        stage_reach.is_open_at_stage,
        coalesce(deals.is_won, false) as is_won,
        deals.amount_reporting
    from stage_reach
    inner join deals
        on stage_reach.entity_key = deals.deal_key
    where stage_reach.entity_type = 'deal'

),

stage_counts as (

    select
        source_system,
        pipeline,
        deal_type,
        stage,
        stage_order,
        count(*) as deals_reached,
        sum(case when is_won then 1 else 0 end) as deals_won,
        sum(case when is_lost_at_stage then 1 else 0 end) as deals_lost_at_stage,
        sum(case when is_open_at_stage then 1 else 0 end) as deals_open_at_stage,
        sum(case when is_won then amount_reporting end) as won_amount_reporting
    from deal_stage_reach
    group by
        source_system,
        pipeline,
        deal_type,
        stage,
        stage_order

)

select
    source_system,
    pipeline,
    deal_type,
    stage,
    stage_order,
    deals_reached,
    deals_won,
    deals_lost_at_stage,
    deals_open_at_stage,
    won_amount_reporting
from stage_counts
