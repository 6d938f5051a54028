with

source as (

    select * from {{ source('hubspot', 'contact_lifecycle_dates') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('hs_object_id'), normalize_label('lifecyclestage')]
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('hs_object_id') }} as contact_id,

        -- strings
        {{ clean_text('lifecyclestage') }} as stage_label,
        {{ normalize_label('lifecyclestage') }} as stage_label_normalized,

        -- timestamps
        entered_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
