{#- The cohort funnel as BI reads it: int_funnel_cohort, where its logic lives. -#}
{#- A view: the rows are the intermediate model's as they are, stored once there; the published BI
    copy stores them as a table. -#}
{{ config(materialized='view') }}

with

cohort_funnel as (

    select * from {{ ref('int_funnel_cohort') }}

)

select
    source_system,
    entity_type,
    pipeline,
    period_grain,
    period_start,
    segment_type,
    segment_value,
    stage,
    stage_order,
    previous_stage,
    entities_in_cohort,
    entities_reached,
    entities_reached_previous_stage,
    conversion_from_previous,
    conversion_from_top,
    entities_lost_at_stage,
    entities_open_at_stage,
    median_days_from_entry,
    p90_days_from_entry
from cohort_funnel
