{#- A deal's milestones at the one as-of (int_as_of): its furthest and qualified stage reach, the entry
    into its current stay and its age there, its created / closed days in business time and its days to
    close. A view: only int_deals_enriched reads it. -#}
{{ config(materialized='view') }}

with

deals as (

    select * from {{ ref('int_deals') }}

),

reach as (

    select * from {{ ref('int_deal_stage_reach') }}

),

spells as (

    select * from {{ ref('int_deal_spells') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- qualified = reached var('pipeline_qualified_stage') or any later ordered stage
qualified_order as (

    select min(stage_order) as qualified_stage_order
    from stage_definitions
    where entity_type = 'deal'
        and stage = '{{ var("pipeline_qualified_stage", "qualification") }}'

),

qualified as (

    select
        reach.deal_key,
        min(reach.reached_at) as qualified_at
    from reach
    cross join qualified_order
    where reach.stage_order >= qualified_order.qualified_stage_order
    group by reach.deal_key

),

current_spells as (

    select
        deal_key,
        entered_at as current_stage_entered_at
    from spells
    where is_current

),

-- furthest stage: the highest ordered stage reached (pass-through applied, exits never count)
furthest as (

    select
        deal_key,
        stage as furthest_stage,
        row_number() over (partition by deal_key order by stage_order desc) as furthest_rank
    from reach

),

dated as (

    select
        deals.deal_key,
        deals.current_stage,
        deals.is_closed,
        deals.is_won,
        deals.closed_at,
        {{ to_business_time('deals.created_at') }} as created_at_business,
        -- days to close: created to closed, won or lost; none for a close before the creation
        -- (imported history), so such a deal drops out of cycle averages only
        {{ marts_cycle_days('deals.created_at', 'deals.closed_at') }} as days_to_close
    from deals

)

select
    dated.deal_key,
    definitions.stage_order as current_stage_order,
    furthest.furthest_stage,
    cast(dated.created_at_business as date) as created_date,
    {{ period_start('week', 'dated.created_at_business') }} as created_week,
    {{ period_start('month', 'dated.created_at_business') }} as created_month,
    {{ period_start('quarter', 'dated.created_at_business') }} as created_quarter,
    {{ pipeline_business_date('dated.closed_at') }} as closed_date,
    qualified.qualified_at,
    current_spells.current_stage_entered_at,
    dated.days_to_close,
    -- sales cycle (docs/metrics.md): the days to close of a won deal
    case when dated.is_won then dated.days_to_close end as sales_cycle_days,
    -- age of the current stay of an open deal, to the end of the as-of day
    case
        when not dated.is_closed then {{ days_between(
            to_business_time('current_spells.current_stage_entered_at'), 'as_of.as_of_at') }}
    end as days_in_current_stage,
    as_of.as_of_date
from dated
cross join as_of
left join qualified
    on dated.deal_key = qualified.deal_key
left join current_spells
    on dated.deal_key = current_spells.deal_key
left join furthest
    on dated.deal_key = furthest.deal_key
    and furthest.furthest_rank = 1
left join stage_definitions as definitions
    on definitions.entity_type = 'deal'
    and dated.current_stage = definitions.stage
