with

source as (

    select * from {{ source('salesforce', 'campaign_member') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as campaign_member_id,
        {{ clean_id('campaignid') }} as campaign_id,
        {{ clean_id('leadid') }} as lead_id,
        {{ clean_id('contactid') }} as contact_id,

        -- strings
        {{ clean_text('status') }} as member_status,

        -- booleans
        {{ to_boolean('hasresponded') }} as has_responded,
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,

        -- dates and timestamps
        firstrespondeddate as first_responded_date,
        createddate as created_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
