{%- set raw_keys = ['_source_system', clean_id('event_id')] -%}
{%- set staged_keys = ['source_system', 'touch_id'] -%}
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

    {{ month_refresh_source(source('marketing', 'touches'), raw_keys, 'occurred_at', staged_keys) }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('event_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('event_id') }} as touch_id,
        {{ clean_id('crm_person_id') }} as person_id,
        {{ clean_id('anonymous_id') }} as anonymous_id,
        {{ clean_id('campaign_id') }} as campaign_id,

        -- strings (personal data hashed)
        {{ hash_pii('person_email') }} as email_hash,
        {{ hash_pii('referred_by_email') }} as referred_by_email_hash,
        {{ normalize_code('touch_type') }} as touch_type,
        {{ normalize_label('channel') }} as channel,
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,

        -- timestamps
        occurred_at,

        -- partition (incremental refresh by month)
        {{ event_month('occurred_at') }} as event_month,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
{{ month_refresh_filter(source('marketing', 'touches'), raw_keys, 'occurred_at', staged_keys) }}
