with

source as (

    select * from {{ source('salesforce', 'user_role') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as user_role_id,
        {{ clean_id('parentroleid') }} as parent_role_id,

        -- strings
        {{ clean_text('name') }} as role_name,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
