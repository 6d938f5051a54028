with

source as (

    select * from {{ source('generic', 'persons') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('person_id')], modified_at=['updated_at']) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('person_id') }} as person_id,
        {{ clean_id('account_id') }} as account_id,
        {{ clean_id('owner_id') }} as owner_id,
        {{ clean_id('merged_into_id') }} as merged_into_id,

        -- strings (personal data hashed)
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii('phone') }} as phone_hash,
        {{ hash_pii(full_name('first_name', 'last_name')) }} as name_hash,
        {{ clean_text('lifecycle_stage') }} as stage_label,
        {{ normalize_label('lifecycle_stage') }} as stage_label_normalized,
        {{ clean_text('lead_status') }} as lead_status,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('country') }} as country,

        -- numerics
        cast(lead_score as double) as lead_score,

        -- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,
        {{ clean_id('merged_into_id') }} is not null as is_merged,

        -- timestamps
        created_at,
        updated_at,

        -- data-quality flag (loaded, counted in fct_data_quality_flags)
        {{ has_future_timestamp('created_at', '_loaded_at') }} as has_future_created_at,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
