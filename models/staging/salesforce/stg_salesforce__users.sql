with

source as (

    select * from {{ source('salesforce', 'user') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as user_id,
        {{ clean_id('managerid') }} as manager_id,
        {{ clean_id('userroleid') }} as user_role_id,

        -- strings (personal data hashed; the user's name readable unless hash_owner_names)
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii(full_name('firstname', 'lastname', fallback='name')) }} as name_hash,
        {{ owner_name(full_name('firstname', 'lastname', fallback='name')) }} as user_name,
        {{ clean_text('department') }} as department,
        {{ clean_text('division') }} as division,
        {{ clean_text('title') }} as job_title,
        {{ clean_text('timezonesidkey') }} as time_zone,

        -- booleans
        {{ to_boolean('isactive') }} as is_active,

        -- timestamps
        createddate as created_at,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
