{%- set raw_keys = ['_source_system', clean_id('event_id')] -%}
{%- set staged_keys = ['source_system', 'email_event_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy=refresh_strategy(),
        unique_key=month_refresh_unique_key(staged_keys),
        partition_by=month_refresh_partition_by('event_month'),
        on_schema_change='fail'
    )
}}

with

source as (

    {{ month_refresh_source(source('marketing', 'email_events'), raw_keys, 'occurred_at', staged_keys) }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('event_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('event_id') }} as email_event_id,
        {{ clean_id('campaign_id') }} as campaign_id,

        -- strings (personal data hashed)
        {{ hash_pii('person_email') }} as email_hash,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        {{ normalize_code('event_type') }} as event_type,

        -- timestamps
        occurred_at,

        -- partition (incremental refresh by month)
        {{ event_month('occurred_at') }} as event_month,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
{{ month_refresh_filter(source('marketing', 'email_events'), raw_keys, 'occurred_at', staged_keys) }}
