{#- One row per Opportunity record per landed export of the Opportunity export (raw keeps every export;
    stg_salesforce__opportunities keeps only the latest): the versioned history int_deal_state_versions
    reads. A view: nothing here is personal data, and the incremental reader filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('salesforce', 'opportunity') }}

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
        {{ clean_id('id') }} as deal_id,
        'default' as pipeline,
        {{ clean_text('stagename') }} as stage_label,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as timestamp) as closed_at,
        coalesce(systemmodstamp, lastmodifieddate) as modified_at,
        _exported_at as exported_at,
        _loaded_at as loaded_at
    from versions
    where {{ clean_id('id') }} is not null

)

select * from renamed
