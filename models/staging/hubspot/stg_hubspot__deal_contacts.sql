with

source as (

    select * from {{ source('hubspot', 'deal_contacts') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('deal_id'), clean_id('contact_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('deal_id') }} as deal_id,
        {{ clean_id('contact_id') }} as contact_id,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
