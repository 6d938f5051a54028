with

source as (

    select * from {{ source('hubspot', 'deal_companies') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('deal_id'), clean_id('company_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('deal_id') }} as deal_id,
        {{ clean_id('company_id') }} as company_id,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
