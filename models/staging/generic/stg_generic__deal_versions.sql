{#- One row per deal record per landed export of the deals file (raw keeps every export;
    stg_generic__deals keeps only the latest): the versioned history int_deal_state_versions reads. A
    view: nothing here is personal data, and the incremental reader filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('generic', 'deals') }}

),

-- one version of each record per export: of several rows of one record in one export, the
-- record's latest modification wins (as in the current-state staging model)
versions as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('deal_id'), '_exported_at'],
        modified_at=['updated_at']
    ) }}

),

renamed as (

    select
        _source_system as source_system,
        {{ clean_id('deal_id') }} as deal_id,
        coalesce({{ clean_text('pipeline') }}, 'default') as pipeline,
        {{ clean_text('stage') }} as stage_label,
        lower({{ clean_text('status') }}) as status,
        closed_at,
        updated_at as modified_at,
        _exported_at as exported_at,
        _loaded_at as loaded_at
    from versions
    where {{ clean_id('deal_id') }} is not null

)

select * from renamed
