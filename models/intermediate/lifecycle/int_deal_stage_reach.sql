with

entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

pipeline_stages as (

    select * from {{ ref('int_pipeline_stages') }}

),

{{ stage_reach('entries', 'pipeline_stages', 'deal_key', 'deal') }}

select
    deal_key,
    source_system,
    pipeline,
    stage,
    stage_order,
    reached_at,
    is_passed_through,
    stage_position
from reach
