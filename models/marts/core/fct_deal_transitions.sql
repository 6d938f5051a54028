{#- One row per stage change of a deal (int_deal_transitions) with the stage order of both
    ends and the deal's segments from the one enriched deal (int_deals_enriched). -#}
with

transitions as (

    select * from {{ ref('int_deal_transitions') }}

),

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

final as (

    select
        {{ dbt.concat(
            ["transitions.deal_key", "':'", "cast(transitions.transition_number as " ~ dbt.type_string() ~ ")"]
        ) }} as transition_key,
        transitions.deal_key,
        transitions.source_system,
        transitions.pipeline,
        transitions.transition_number,
        transitions.from_stage,
        from_definitions.stage_order as from_stage_order,
        transitions.to_stage,
        to_definitions.stage_order as to_stage_order,
        transitions.transitioned_at,
        cast({{ to_business_time('transitions.transitioned_at') }} as date) as transitioned_day,
        transitions.evidence,
        transitions.direction,
        transitions.entry_number,
        deals.channel,
        deals.owner_key,
        deals.team,
        deals.region,
        deals.customer_segment,
        deals.deal_type,
        deals.product,
        deals.created_month
    from transitions
    left join deals
        on transitions.deal_key = deals.deal_key
    left join stage_definitions as from_definitions
        on from_definitions.entity_type = 'deal'
        and transitions.from_stage = from_definitions.stage
    left join stage_definitions as to_definitions
        on to_definitions.entity_type = 'deal'
        and transitions.to_stage = to_definitions.stage

)

select
    transition_key,
    deal_key,
    source_system,
    pipeline,
    transition_number,
    from_stage,
    from_stage_order,
    to_stage,
    to_stage_order,
    transitioned_at,
    transitioned_day,
    evidence,
    direction,
    entry_number,
    channel,
    owner_key,
    team,
    region,
    customer_segment,
    deal_type,
    product,
    created_month
from final
