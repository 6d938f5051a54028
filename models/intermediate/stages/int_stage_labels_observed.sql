{#- Every observed stage label (deal and person side), with the keys it is matched on. -#}
with

observed_deal_labels as (

    select * from {{ ref('int_stage_labels_observed_deals') }}

),

observed_person_labels as (

    select * from {{ ref('int_stage_labels_observed_persons') }}

),

hubspot_pipeline_stages as (

    select * from {{ ref('stg_hubspot__pipeline_stages') }}

),

-- the two sides never share a row: their entity types differ
observed_labels as (

    select source_system, entity_type, pipeline, stage_label
    from observed_deal_labels

    union all

    select source_system, entity_type, pipeline, stage_label
    from observed_person_labels

),

-- a numeric HubSpot custom stage id is resolved through its label, as a fallback to the id itself
labels_with_pipeline_label as (

    select
        labels.source_system,
        labels.entity_type,
        labels.pipeline,
        labels.stage_label,
        {{ normalize_label('labels.stage_label') }} as stage_label_normalized,
        pipeline_stages.stage_label as pipeline_stage_label,
        {{ normalize_label('pipeline_stages.stage_label') }} as pipeline_stage_label_normalized
    from observed_labels as labels
    left join hubspot_pipeline_stages as pipeline_stages
        on labels.source_system = 'hubspot'
        and labels.entity_type = 'deal'
        and labels.pipeline = pipeline_stages.pipeline_id
        and labels.stage_label = pipeline_stages.stage_id

)

select
    source_system,
    entity_type,
    pipeline,
    stage_label,
    stage_label_normalized,
    pipeline_stage_label,
    pipeline_stage_label_normalized
from labels_with_pipeline_label
