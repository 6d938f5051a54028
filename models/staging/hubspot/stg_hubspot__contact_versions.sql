{#- One row per contact record per landed export of the contacts export (raw keeps every export;
    stg_hubspot__contacts keeps only the latest): the versioned history int_person_state_versions reads.
    A view: it carries ids, stage labels and times only, no personal data, and the incremental reader
    filters it by loaded_at. -#}
{{ config(materialized='view') }}

with

source as (

    select * from {{ source('hubspot', 'contacts') }}

),

renamed as (

    select
        _source_system as source_system,
        {{ clean_id('hs_object_id') }} as person_id,
        {{ clean_text('lifecyclestage') }} as stage_label,
        lastmodifieddate as modified_at,
        _exported_at as exported_at,
        _file_hash as source_file_hash,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

-- several rows of one person in one export: the record's latest modification wins (as in
-- stg_hubspot__contacts)
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
