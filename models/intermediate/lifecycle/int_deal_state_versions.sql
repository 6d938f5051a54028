{#- One row per deal record per landed export of a current-state file (the stg_*_versions staging
    views), so successive exports become snapshot evidence. -#}
{%- set versioned_sources = ['stg_salesforce__opportunity_versions', 'stg_hubspot__deal_versions', 'stg_generic__deal_versions'] -%}
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

-- one row per record per export, from each source's versioned staging (same columns in each)
unioned as (

    {%- for versioned_source in versioned_sources %}
    {%- if not loop.first %}

    union all
    {% endif %}
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
    from {{ ref(versioned_source) }}
    {%- endfor %}

),

-- a refresh recomputes only the entities with a newly loaded row (all of their versions)
refreshed as (

    select *
    from unioned
    {{ entity_refresh_filter('unioned', entity_keys) }}

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
    from refreshed

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
