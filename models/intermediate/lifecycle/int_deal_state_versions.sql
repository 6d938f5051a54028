{#- One row per deal per landed export of a current-state file (raw keeps every version; staging
    only the latest). Read from the raw sources so successive exports become snapshot evidence. -#}
{%- set entity_keys = ['source_system', 'deal_id'] -%}
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

salesforce_opportunities as (

    select * from {{ source('salesforce', 'opportunity') }}

),

hubspot_deals as (

    select * from {{ source('hubspot', 'deals') }}

),

generic_deals as (

    select * from {{ source('generic', 'deals') }}

),

unioned as (

    select
        _source_system as source_system,
        {{ clean_id('id') }} as deal_id,
        'default' as pipeline,
        {{ clean_text('stagename') }} as stage_label,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as timestamp) as closed_at,
        coalesce(systemmodstamp, lastmodifieddate) as modified_at,
        _exported_at as exported_at,
        _file_hash as file_hash,
        _row_number as row_number_in_file,
        _loaded_at as loaded_at
    from salesforce_opportunities

    union all

    select
        _source_system as source_system,
        {{ clean_id('hs_object_id') }} as deal_id,
        coalesce({{ clean_id('pipeline') }}, 'default') as pipeline,
        {{ clean_text('dealstage') }} as stage_label,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as timestamp) as closed_at,
        hs_lastmodifieddate as modified_at,
        _exported_at as exported_at,
        _file_hash as file_hash,
        _row_number as row_number_in_file,
        _loaded_at as loaded_at
    from hubspot_deals

    union all

    select
        _source_system as source_system,
        {{ clean_id('deal_id') }} as deal_id,
        coalesce({{ clean_text('pipeline') }}, 'default') as pipeline,
        {{ clean_text('stage') }} as stage_label,
        lower({{ clean_text('status') }}) as status,
        closed_at,
        updated_at as modified_at,
        _exported_at as exported_at,
        _file_hash as file_hash,
        _row_number as row_number_in_file,
        _loaded_at as loaded_at
    from generic_deals

),

-- a refresh recomputes only the entities with a newly loaded row (all of their versions)
refreshed as (

    select *
    from unioned
    {{ entity_refresh_filter('unioned', entity_keys) }}

),

-- several rows of one deal in one export: the record's latest modification wins (as in staging)
ranked as (

    select
        *,
        row_number() over (
            partition by source_system, deal_id, exported_at
            order by modified_at desc nulls last, file_hash desc, row_number_in_file desc
        ) as version_rank
    from refreshed
    where deal_id is not null

),

final as (

    select
        source_system,
        deal_id,
        pipeline,
        stage_label,
        status,
        closed_at,
        exported_at,
        -- versions in the record's own order (its modified time, as staging picks the current one),
        -- then by export: an undated file's export time is its mtime (when it was copied), which
        -- can be later than a newer, dated export of the same records
        row_number() over (
            partition by source_system, deal_id order by modified_at nulls first, exported_at
        ) as version_number,
        loaded_at,
        {{ entity_bucket(entity_keys) }} as entity_bucket
    from ranked
    where version_rank = 1

)

select
    source_system,
    deal_id,
    pipeline,
    stage_label,
    status,
    closed_at,
    exported_at,
    version_number,
    loaded_at,
    entity_bucket
from final
