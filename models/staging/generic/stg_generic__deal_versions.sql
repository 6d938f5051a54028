{#- One row per deal record per landed export of the deals file (raw keeps every export;
    stg_generic__deals keeps only the latest): the versioned history int_deal_state_versions reads. A
    view: nothing here is personal data, and the incremental reader filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('generic', 'deals') }}

),

renamed as (

    select
        _source_system as source_system,
        {{ clean_id('deal_id') }} as deal_id,
        coalesce({{ clean_text('pipeline') }}, 'default') as pipeline,
        {{ clean_text('stage') }} as stage_label,
        lower({{ clean_text('status') }}) as status,
        closed_at as closed_at,
        updated_at as modified_at,
        _exported_at as exported_at,
        _file_hash as source_file_hash,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

-- several rows of one deal in one export: the record's latest modification wins (as in
-- stg_generic__deals)
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
