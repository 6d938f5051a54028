with

source as (

    select * from {{ source('salesforce', 'opportunity_line_item') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')], modified_at=['systemmodstamp']) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as opportunity_line_item_id,
        {{ clean_id('opportunityid') }} as deal_id,
        {{ clean_id('product2id') }} as product_id,

        -- strings
        -- the export carries no currency column: prices are taken as the reporting currency
        '{{ var("reporting_currency", "USD") | upper }}' as currency_code,

        -- numerics
        cast(quantity as double) as quantity,
        cast(unitprice as double) as unit_price,
        cast(totalprice as double) as total_price,

        -- booleans
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,
        true as is_currency_defaulted,

        -- dates and timestamps
        cast(createddate as date) as fx_rate_date,
        createddate as created_at,
        systemmodstamp as system_modified_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

),

converted as (

    {{ to_reporting_currency(
        'renamed',
        {'unit_price': 'unit_price_reporting', 'total_price': 'total_price_reporting'}
    ) }}

),

final as (

    select
        -- ids
        opportunity_line_item_id,
        deal_id,
        product_id,

        -- strings
        currency_code,

        -- numerics
        quantity,
        unit_price,
        unit_price_reporting,
        total_price,
        total_price_reporting,
        fx_rate,

        -- booleans
        is_deleted,
        is_currency_defaulted,
        is_fx_rate_missing,

        -- dates and timestamps
        fx_rate_date,
        created_at,
        system_modified_at,

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
