with

source as (

    select * from {{ source('salesforce', 'opportunity') }}

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
        {{ clean_id('id') }} as deal_id,
        {{ clean_id('accountid') }} as account_id,
        {{ clean_id('contactid') }} as contact_id,
        {{ clean_id('ownerid') }} as owner_id,
        {{ clean_id('campaignid') }} as campaign_id,

        -- strings
        'default' as pipeline,
        {{ clean_text('name') }} as deal_name,
        {{ clean_text('stagename') }} as stage_label,
        {{ normalize_label('stagename') }} as stage_label_normalized,
        {{ clean_text('type') }} as deal_type,
        {{ clean_text('leadsource') }} as lead_source,
        {{ clean_text('forecastcategoryname') }} as forecast_category,
        {{ currency_or_reporting('currencyisocode') }} as currency_code,

        -- numerics
        cast(amount as double) as amount,
        cast(expectedrevenue as double) as expected_revenue,
        {{ probability_to_unit('probability', 100) }} as probability,

        -- booleans
        {{ to_boolean('isclosed') }} as is_closed,
        {{ to_boolean('iswon') }} as is_won,
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,
        {{ clean_text('currencyisocode') }} is null as is_currency_defaulted,

        -- dates and timestamps
        closedate as close_date,
        coalesce(closedate, cast(createddate as date)) as fx_rate_date,
        createddate as created_at,
        lastmodifieddate as last_modified_at,
        systemmodstamp as system_modified_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

),

converted as (

    {{ to_reporting_currency(
        'renamed',
        {'amount': 'amount_reporting', 'expected_revenue': 'expected_revenue_reporting'}
    ) }}

),

final as (

    select
        -- ids
        deal_id,
        account_id,
        contact_id,
        owner_id,
        campaign_id,

        -- strings
        pipeline,
        deal_name,
        stage_label,
        stage_label_normalized,
        deal_type,
        lead_source,
        forecast_category,
        currency_code,

        -- numerics
        amount,
        amount_reporting,
        expected_revenue,
        expected_revenue_reporting,
        fx_rate,
        probability,

        -- booleans
        is_closed,
        is_won,
        is_deleted,
        is_currency_defaulted,
        is_fx_rate_missing,

        -- data-quality flags (loaded, counted in fct_data_quality_flags)
        {{ is_close_before_created('close_date', 'created_at') }} as is_close_before_created,
        {{ has_future_timestamp('created_at') }} as has_future_created_at,

        -- dates and timestamps
        close_date,
        fx_rate_date,
        created_at,
        last_modified_at,
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
