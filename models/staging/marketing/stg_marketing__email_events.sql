with

source as (

    select * from {{ source('marketing', 'email_events') }}

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

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
