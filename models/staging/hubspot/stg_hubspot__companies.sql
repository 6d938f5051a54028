with

source as (

    select * from {{ source('hubspot', 'companies') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', clean_id('hs_object_id')],
        modified_at=['hs_lastmodifieddate']
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('hs_object_id') }} as company_id,
        {{ clean_id('hubspot_owner_id') }} as owner_id,

        -- strings
        {{ clean_text('name') }} as company_name,
        lower({{ clean_text('domain') }}) as domain,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('country') }} as country,
        {{ clean_text('lifecyclestage') }} as lifecycle_stage,

        -- numerics
        numberofemployees as number_of_employees,
        cast(annualrevenue as double) as annual_revenue,

        -- timestamps
        createdate as created_at,
        hs_lastmodifieddate as last_modified_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
