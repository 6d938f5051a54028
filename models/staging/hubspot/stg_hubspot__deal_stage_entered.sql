with

source as (

    select * from {{ source('hubspot', 'deal_stage_entered') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('hs_object_id'), clean_text('dealstage')]
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('hs_object_id') }} as deal_id,

        -- strings
        {{ clean_text('dealstage') }} as stage_label,
        {{ normalize_label('dealstage') }} as stage_label_normalized,

        -- timestamps
        entered_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
