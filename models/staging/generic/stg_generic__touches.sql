with

source as (

    select * from {{ source('generic', 'touches') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('touch_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('touch_id') }} as touch_id,
        {{ clean_id('person_id') }} as person_id,
        {{ clean_id('anonymous_id') }} as anonymous_id,
        {{ clean_id('campaign_id') }} as campaign_id,

        -- strings (personal data hashed)
        {{ hash_pii('email') }} as email_hash,
        {{ normalize_code('touch_type') }} as touch_type,
        {{ normalize_label('channel') }} as channel,
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,

        -- timestamps
        occurred_at,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
