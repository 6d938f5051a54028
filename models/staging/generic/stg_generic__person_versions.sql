{#- One row per person record per landed export of the persons file (raw keeps every export;
    stg_generic__persons keeps only the latest): the versioned history int_person_state_versions reads.
    A view: it carries ids, stage labels and times only, no personal data, and the incremental reader
    filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('generic', 'persons') }}

),

renamed as (

    select
        _source_system as source_system,
        {{ clean_id('person_id') }} as person_id,
        {{ clean_text('lifecycle_stage') }} as stage_label,
        updated_at as modified_at,
        _exported_at as exported_at,
        _file_hash as source_file_hash,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

-- several rows of one person in one export: the record's latest modification wins (as in
-- stg_generic__persons)
ranked as (

    select
        *,
        row_number() over (
            partition by source_system, person_id, exported_at
            order by modified_at desc nulls last, source_file_hash desc, source_row_number desc
        ) as version_rank
    from renamed
    where person_id is not null

)

select
    source_system,
    person_id,
    stage_label,
    modified_at,
    exported_at,
    loaded_at
from ranked
where version_rank = 1
