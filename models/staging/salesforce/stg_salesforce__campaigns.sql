with

source as (

    select * from {{ source('salesforce', 'campaign') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')], modified_at=['lastmodifieddate']) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as campaign_id,
        {{ clean_id('parentid') }} as parent_campaign_id,

        -- strings
        {{ clean_text('name') }} as campaign_name,
        {{ clean_text('type') }} as campaign_type,
        {{ clean_text('status') }} as campaign_status,
        -- the export carries no currency column: costs are taken as the reporting currency
        '{{ var("reporting_currency", "USD") | upper }}' as currency_code,

        -- numerics
        cast(budgetedcost as double) as budgeted_cost,
        cast(actualcost as double) as actual_cost,

        -- booleans
        {{ to_boolean('isactive') }} as is_active,
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,
        true as is_currency_defaulted,

        -- dates and timestamps
        startdate as start_date,
        enddate as end_date,
        coalesce(startdate, cast(createddate as date)) as fx_rate_date,
        createddate as created_at,
        lastmodifieddate as last_modified_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

),

converted as (

    {{ to_reporting_currency(
        'renamed',
        {'budgeted_cost': 'budgeted_cost_reporting', 'actual_cost': 'actual_cost_reporting'}
    ) }}

),

final as (

    select
        -- ids
        campaign_id,
        parent_campaign_id,

        -- strings
        campaign_name,
        campaign_type,
        campaign_status,
        currency_code,

        -- numerics
        budgeted_cost,
        budgeted_cost_reporting,
        actual_cost,
        actual_cost_reporting,
        fx_rate,

        -- booleans
        is_active,
        is_deleted,
        is_currency_defaulted,
        is_fx_rate_missing,

        -- dates and timestamps
        start_date,
        end_date,
        fx_rate_date,
        created_at,
        last_modified_at,

        -- lineage
        source_system,
        source_file,
        source_file_hash,
        source_row_number,
        exported_at,
        loaded_at,
        load_run_id,
        extra_columns

    from converted

)

select * from final
