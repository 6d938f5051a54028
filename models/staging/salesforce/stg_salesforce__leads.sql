with

source as (

    select * from {{ source('salesforce', 'lead') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('id')],
        modified_at=['systemmodstamp', 'lastmodifieddate']
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as lead_id,
        {{ clean_id('ownerid') }} as owner_id,
        {{ clean_id('convertedaccountid') }} as converted_account_id,
        {{ clean_id('convertedcontactid') }} as converted_contact_id,
        {{ clean_id('convertedopportunityid') }} as converted_deal_id,
        {{ clean_id('masterrecordid') }} as master_record_id,

        -- strings (personal data hashed)
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii('phone') }} as phone_hash,
        {{ hash_pii(full_name('firstname', 'lastname')) }} as name_hash,
        {{ clean_text('company') }} as company_name,
        {{ clean_text('title') }} as job_title,
        {{ clean_text('status') }} as stage_label,
        {{ normalize_label('status') }} as stage_label_normalized,
        {{ clean_text('leadsource') }} as lead_source,
        {{ clean_text('country') }} as country,
        {{ clean_text('industry') }} as industry,

        -- numerics
        numberofemployees as number_of_employees,
        -- Salesforce keeps the lead score in a custom field (Lead_Score__c), which the loader keeps in _extra
        try_cast({{ json_field_text('_extra', 'Lead_Score__c') }} as double) as lead_score,

        -- booleans
        coalesce({{ to_boolean('isconverted') }}, false) as is_converted,
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,
        {{ clean_id('masterrecordid') }} is not null as is_merged,

        -- dates and timestamps
        converteddate as converted_date,
        createddate as created_at,
        lastmodifieddate as last_modified_at,
        systemmodstamp as system_modified_at,

        -- data-quality flag (loaded, counted in fct_data_quality_flags)
        {{ has_future_timestamp('createddate', '_loaded_at') }} as has_future_created_at,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated

)

select * from renamed
