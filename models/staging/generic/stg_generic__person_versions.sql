{#- One row per person record per landed export of the persons file (raw keeps every export;
    stg_generic__persons keeps only the latest): the versioned history int_person_state_versions reads.
    A view: it carries ids, stage labels and times only, no personal data, and the incremental reader
    filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('generic', 'persons') }}

),

-- one version of each record per export: of several rows of one record in one export, the
-- record's latest modification wins (as in the current-state staging model)
versions as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('person_id'), '_exported_at'],
        modified_at=['updated_at']
    ) }}

),

renamed as (

    select
        _source_system as source_system,
        {{ clean_id('person_id') }} as person_id,
        {{ clean_text('lifecycle_stage') }} as stage_label,
        updated_at as modified_at,
        _exported_at as exported_at,
        _loaded_at as loaded_at
    from versions
    where {{ clean_id('person_id') }} is not null

)

select * from renamed
