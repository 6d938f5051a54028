with

source as (

    select * from {{ source('hubspot', 'contacts') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('hs_object_id')],
        modified_at=['lastmodifieddate']
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('hs_object_id') }} as contact_id,
        {{ clean_id('hubspot_owner_id') }} as owner_id,
        {{ clean_id('associatedcompanyid') }} as company_id,

        -- strings (personal data hashed)
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii('phone') }} as phone_hash,
        {{ hash_pii(full_name('firstname', 'lastname')) }} as name_hash,
        {{ clean_text('company') }} as company_name,
        {{ clean_text('jobtitle') }} as job_title,
        {{ clean_text('country') }} as country,
        {{ clean_text('lifecyclestage') }} as stage_label,
        {{ normalize_label('lifecyclestage') }} as stage_label_normalized,
        {{ clean_text('hs_lead_status') }} as lead_status,
        {{ clean_text('hs_analytics_source') }} as lead_source,
        {{ clean_text('hs_analytics_source_data_1') }} as lead_source_detail,
        {{ clean_text('hs_merged_object_ids') }} as merged_object_ids,

        -- numerics
        cast(hubspotscore as double) as lead_score,

        -- timestamps
        createdate as created_at,
        lastmodifieddate as last_modified_at,

        -- data-quality flag (loaded, counted in fct_data_quality_flags)
        {{ has_future_timestamp('createdate', '_loaded_at') }} as has_future_created_at,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
