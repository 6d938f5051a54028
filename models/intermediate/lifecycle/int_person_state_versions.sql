{#- One row per person record per landed export of a current-state file (raw keeps every version;
    staging only the latest). Read from the raw sources so successive exports become snapshot evidence. -#}
{%- set entity_keys = ['source_system', 'person_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy=refresh_strategy(),
        unique_key=entity_refresh_unique_key(entity_keys),
        partition_by=entity_refresh_partition_by(),
        on_schema_change='fail'
    )
}}

with

salesforce_leads as (

    select * from {{ source('salesforce', 'lead') }}

),

hubspot_contacts as (

    select * from {{ source('hubspot', 'contacts') }}

),

generic_persons as (

    select * from {{ source('generic', 'persons') }}

),

unioned as (

    select
        _source_system as source_system,
        {{ clean_id('id') }} as person_id,
        {{ clean_text('status') }} as stage_label,
        coalesce(systemmodstamp, lastmodifieddate) as modified_at,
        _exported_at as exported_at,
        _file_hash as file_hash,
        _row_number as row_number_in_file,
        _loaded_at as loaded_at
    from salesforce_leads

    union all

    select
        _source_system as source_system,
        {{ clean_id('hs_object_id') }} as person_id,
        {{ clean_text('lifecyclestage') }} as stage_label,
        lastmodifieddate as modified_at,
        _exported_at as exported_at,
        _file_hash as file_hash,
        _row_number as row_number_in_file,
        _loaded_at as loaded_at
    from hubspot_contacts

    union all

    select
        _source_system as source_system,
        {{ clean_id('person_id') }} as person_id,
        {{ clean_text('lifecycle_stage') }} as stage_label,
        updated_at as modified_at,
        _exported_at as exported_at,
        _file_hash as file_hash,
        _row_number as row_number_in_file,
        _loaded_at as loaded_at
    from generic_persons

),

-- a refresh recomputes only the entities with a newly loaded row (all of their versions)
refreshed as (

    select *
    from unioned
    {{ entity_refresh_filter('unioned', entity_keys) }}

),

-- several rows of one person in one export: the record's latest modification wins (as in staging)
ranked as (

    select
        *,
        row_number() over (
            partition by source_system, person_id, exported_at
            order by modified_at desc nulls last, file_hash desc, row_number_in_file desc
        ) as version_rank
    from refreshed
    where person_id is not null

),

final as (

    select
        source_system,
        person_id,
        'lifecycle' as pipeline,
        stage_label,
        exported_at,
        -- versions in the record's own order (its modified time, as staging picks the current one),
        -- then by export: an undated file's export time is its mtime (when it was copied), which
        -- can be later than a newer, dated export of the same records
        row_number() over (
            partition by source_system, person_id order by modified_at nulls first, exported_at
        ) as version_number,
        loaded_at,
        {{ entity_bucket(entity_keys) }} as entity_bucket
    from ranked
    where version_rank = 1

)

select
    source_system,
    person_id,
    pipeline,
    stage_label,
    exported_at,
    version_number,
    loaded_at,
    entity_bucket
from final
