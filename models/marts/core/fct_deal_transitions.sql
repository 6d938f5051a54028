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

{{ transition_facts(
    'transitions',
    'deals',
    'stage_definitions',
    'deal_key',
    'deal',
    ['channel', 'owner_key', 'team', 'region', 'customer_segment', 'deal_type', 'product', 'created_month']
) }}

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
