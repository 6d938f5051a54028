{#- One row per entity (person or deal) per funnel stage it reached, for BI and the semantic layer:
    int_funnel_stage_reach, which the funnel marts read, published as it is. -#}
{#- A view: the rows are the intermediate model's as they are, stored and tested once there (its tests
    run before any mart reads it); the published BI copy stores them as a table. -#}
{{ config(materialized='view') }}

with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

)

select
    source_system,
    entity_type,
    pipeline,
    entity_key,
    stage,
    stage_order,
    reached_at,
    is_passed_through,
    entered_funnel_at,
    days_from_entry,
    is_lost_at_stage,
    lost_at,
    is_open_at_stage,
    owner_key,
    manager_key,
    team,
    region,
    channel,
    product,
    customer_segment,
    deal_type
from stage_reach
