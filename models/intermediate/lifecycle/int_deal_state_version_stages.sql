{#- Each landed export of a deal record with the canonical stage it shows: the label's stage, and the
    stage after a generic status (won / lost) closing a deal whose label keeps its last stage. -#}
{#- A view: read once, by int_deal_record_evidence; nothing to store twice. -#}
{{ config(materialized='view') }}

with

deal_versions as (

    select * from {{ ref('int_deal_state_versions') }}

),

label_lookup as (

    select * from {{ ref('int_stage_label_lookup') }}
    where entity_type = 'deal'

),

versions_staged as (

    select
        versions.source_system,
        versions.deal_id,
        versions.version_number,
        versions.pipeline,
        versions.stage_label,
        versions.status,
        versions.closed_at,
        versions.exported_at,
        coalesce(labels.stage, 'unmapped') as label_stage,
        {{ deal_status_stage('versions.status', 'labels.stage') }} as version_stage
    from deal_versions as versions
    left join label_lookup as labels
        on versions.source_system = labels.source_system
        and versions.pipeline = labels.pipeline
        and {{ normalize_label('versions.stage_label') }} = labels.stage_label_normalized

)

select
    source_system,
    deal_id,
    version_number,
    pipeline,
    stage_label,
    status,
    closed_at,
    exported_at,
    label_stage,
    version_stage
from versions_staged
