{#- Field changes of leads. Old and new values of personal-data fields (email, phone, names)
    are hashed like every other personal data column; other values stay as written. -#}
{%- set raw_keys = ['_source_system', clean_id('id')] -%}
{%- set staged_keys = ['source_system', 'lead_history_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy=refresh_strategy(),
        unique_key=month_refresh_unique_key(staged_keys),
        partition_by=month_refresh_partition_by('event_month'),
        on_schema_change='fail'
    )
}}

{%- set pii_fields = "('email', 'phone', 'mobilephone', 'firstname', 'lastname', 'name')" -%}
{%- set status_fields = "('status', 'leadstatus')" -%}

with

source as (

    {{ month_refresh_source(source('salesforce', 'lead_history'), raw_keys, 'createddate', staged_keys) }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as lead_history_id,
        {{ clean_id('leadid') }} as lead_id,
        {{ clean_id('createdbyid') }} as created_by_id,

        -- strings
        {{ clean_text('field') }} as field_name,
        case
            when lower(trim(field)) in {{ pii_fields }} then {{ hash_pii('oldvalue') }}
            else {{ clean_text('oldvalue') }}
        end as old_value,
        case
            when lower(trim(field)) in {{ pii_fields }} then {{ hash_pii('newvalue') }}
            else {{ clean_text('newvalue') }}
        end as new_value,
        case when lower(trim(field)) in {{ status_fields }} then {{ clean_text('oldvalue') }} end as old_stage_label,
        case
            when lower(trim(field)) in {{ status_fields }} then {{ normalize_label('oldvalue') }}
        end as old_stage_label_normalized,
        case when lower(trim(field)) in {{ status_fields }} then {{ clean_text('newvalue') }} end as new_stage_label,
        case
            when lower(trim(field)) in {{ status_fields }} then {{ normalize_label('newvalue') }}
        end as new_stage_label_normalized,

        -- booleans
        coalesce(lower(trim(field)) in {{ status_fields }}, false) as is_status_change,
        coalesce(lower(trim(field)) in {{ pii_fields }}, false) as is_value_hashed,
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,

        -- timestamps
        createddate as changed_at,

        -- partition (incremental refresh by month)
        {{ event_month('createddate') }} as event_month,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
{{ month_refresh_filter(source('salesforce', 'lead_history'), raw_keys, 'createddate', staged_keys) }}
