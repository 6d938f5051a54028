with

source as (

    select * from {{ source('salesforce', 'product2') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as product_id,

        -- strings
        {{ clean_text('name') }} as product_name,
        {{ clean_text('productcode') }} as product_code,
        {{ clean_text('family') }} as product_family,

        -- booleans
        {{ to_boolean('isactive') }} as is_active,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
