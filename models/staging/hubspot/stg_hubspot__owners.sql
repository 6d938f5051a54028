with

source as (

    select * from {{ source('hubspot', 'owners') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')], modified_at=['updatedat']) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as owner_id,
        {{ clean_id('userid') }} as user_id,
        {{ clean_id('manager_id') }} as manager_id,

        -- strings (personal data hashed; the rep's name readable unless hash_owner_names)
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii(full_name('firstname', 'lastname')) }} as name_hash,
        {{ owner_name(full_name('firstname', 'lastname')) }} as owner_name,
        {{ clean_text('teams') }} as team,
        {{ clean_text('region') }} as region,

        -- booleans
        coalesce({{ to_boolean('archived') }}, false) as is_archived,

        -- timestamps
        createdat as created_at,
        updatedat as updated_at,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
