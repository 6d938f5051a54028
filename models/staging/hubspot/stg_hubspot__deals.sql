with

source as (

    select * from {{ source('hubspot', 'deals') }}

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
        {{ clean_id('hs_object_id') }} as deal_id,
        {{ clean_id('hubspot_owner_id') }} as owner_id,

        -- strings
        {{ clean_id('pipeline') }} as pipeline,
        {{ clean_text('dealname') }} as deal_name,
        {{ clean_text('dealstage') }} as stage_label,
        {{ normalize_label('dealstage') }} as stage_label_normalized,
        {{ clean_text('dealtype') }} as deal_type,
        {{ clean_text('hs_analytics_source') }} as lead_source,
        {{ clean_text('product_family') }} as product_family,
        {{ clean_text('hs_forecast_category') }} as forecast_category,
        {{ currency_or_reporting('deal_currency_code') }} as currency_code,

        -- numerics
        cast(amount as double) as amount,
        {{ probability_to_unit('hs_deal_stage_probability', 1) }} as probability,

        -- booleans
        {{ to_boolean('hs_is_closed') }} as is_closed,
        {{ to_boolean('hs_is_closed_won') }} as is_won,
        {{ clean_text('deal_currency_code') }} is null as is_currency_defaulted,

        -- dates and timestamps
        cast(closedate as date) as close_date,
        coalesce(cast(closedate as date), cast(createdate as date)) as fx_rate_date,
        createdate as created_at,
        hs_lastmodifieddate as last_modified_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

),

converted as (

    {{ to_reporting_currency('renamed', {'amount': 'amount_reporting'}) }}

),

final as (

    select
        -- ids
        deal_id,
        owner_id,

        -- strings
        pipeline,
        deal_name,
        stage_label,
        stage_label_normalized,
        deal_type,
        lead_source,
        product_family,
        forecast_category,
        currency_code,

        -- numerics
        amount,
        amount_reporting,
        fx_rate,
        probability,

        -- booleans
        is_closed,
        is_won,
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
