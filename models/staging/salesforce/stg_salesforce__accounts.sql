with

source as (

    select * from {{ source('salesforce', 'account') }}

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
        {{ clean_id('id') }} as account_id,
        {{ clean_id('ownerid') }} as owner_id,
        {{ clean_id('parentid') }} as parent_account_id,
        {{ clean_id('masterrecordid') }} as master_record_id,

        -- strings
        {{ clean_text('name') }} as account_name,
        {{ clean_text('type') }} as account_type,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('billingcountry') }} as country,

        -- numerics
        numberofemployees as number_of_employees,
        cast(annualrevenue as double) as annual_revenue,

        -- booleans
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,
        {{ clean_id('masterrecordid') }} is not null as is_merged,

        -- timestamps
        createddate as created_at,
        lastmodifieddate as last_modified_at,
        systemmodstamp as system_modified_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
