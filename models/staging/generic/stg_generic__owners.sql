with

source as (

    select * from {{ source('generic', 'owners') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('owner_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('owner_id') }} as owner_id,
        {{ clean_id('manager_id') }} as manager_id,

        -- strings (personal data hashed; the rep's name readable unless hash_owner_names)
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii('name') }} as name_hash,
        {{ owner_name('name') }} as owner_name,
        {{ clean_text('team') }} as team,
        {{ clean_text('region') }} as region,

        -- booleans
        {{ to_boolean('is_active') }} as is_active,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
