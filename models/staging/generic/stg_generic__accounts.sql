with

source as (

    select * from {{ source('generic', 'accounts') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('account_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('account_id') }} as account_id,

        -- strings
        {{ clean_text('name') }} as account_name,
        {{ clean_text('industry') }} as industry,
        {{ normalize_code('segment') }} as segment,
        {{ clean_text('country') }} as country,

        -- numerics
        employees as number_of_employees,

        -- timestamps
        created_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
