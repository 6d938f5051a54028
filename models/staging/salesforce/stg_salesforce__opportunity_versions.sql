{#- One row per Opportunity record per landed export of the Opportunity export (raw keeps every export;
    stg_salesforce__opportunities keeps only the latest): the versioned history int_deal_state_versions
    reads. A view: nothing here is personal data, and the incremental reader filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('salesforce', 'opportunity') }}

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
        _file_hash as source_file_hash,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

-- several rows of one deal in one export: the record's latest modification wins (as in
-- stg_salesforce__opportunities)
ranked as (

    select
        *,
        row_number() over (
            partition by source_system, deal_id, exported_at
            order by modified_at desc nulls last, source_file_hash desc, source_row_number desc
        ) as version_rank
    from renamed
    where deal_id is not null

)

select
    source_system,
    deal_id,
    pipeline,
    stage_label,
    status,
    closed_at,
    modified_at,
    exported_at,
    loaded_at
from ranked
where version_rank = 1
