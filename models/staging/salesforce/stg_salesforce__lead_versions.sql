{#- One row per Lead record per landed export of the Lead export (raw keeps every export;
    stg_salesforce__leads keeps only the latest): the versioned history int_person_state_versions reads.
    A view: it carries ids, stage labels and times only, no personal data, and the incremental reader
    filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('salesforce', 'lead') }}

),

-- one version of each record per export: of several rows of one record in one export, the
-- record's latest modification wins (as in the current-state staging model)
versions as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('id'), '_exported_at'],
        modified_at=['coalesce(systemmodstamp, lastmodifieddate)']
    ) }}

),

renamed as (

    select
        _source_system as source_system,
        {{ clean_id('id') }} as person_id,
        {{ clean_text('status') }} as stage_label,
        coalesce(systemmodstamp, lastmodifieddate) as modified_at,
        _exported_at as exported_at,
        _loaded_at as loaded_at
    from versions
    where {{ clean_id('id') }} is not null

)

select * from renamed
