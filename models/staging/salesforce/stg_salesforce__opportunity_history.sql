{%- set raw_keys = ['_source_system', clean_id('id')] -%}
{%- set staged_keys = ['source_system', 'opportunity_history_id'] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy=refresh_strategy(),
        unique_key=month_refresh_unique_key(staged_keys),
        partition_by=month_refresh_partition_by('event_month'),
        on_schema_change='fail'
    )
}}

with

source as (

    {{ month_refresh_source(source('salesforce', 'opportunity_history'), raw_keys, 'createddate', staged_keys) }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')], modified_at=['systemmodstamp']) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as opportunity_history_id,
        {{ clean_id('opportunityid') }} as deal_id,
        {{ clean_id('createdbyid') }} as created_by_id,

        -- strings
        'default' as pipeline,
        {{ clean_text('stagename') }} as stage_label,
        {{ normalize_label('stagename') }} as stage_label_normalized,
        {{ clean_text('forecastcategory') }} as forecast_category,
        -- OpportunityHistory has no currency column: amounts are taken as the reporting currency
        '{{ var("reporting_currency", "USD") | upper }}' as currency_code,

        -- numerics
        cast(amount as double) as amount,
        cast(expectedrevenue as double) as expected_revenue,
        {{ probability_to_unit('probability', 100) }} as probability,

        -- booleans
        coalesce({{ to_boolean('isdeleted') }}, false) as is_deleted,
        true as is_currency_defaulted,

        -- dates and timestamps
        closedate as close_date,
        coalesce(closedate, cast(createddate as date)) as fx_rate_date,
        createddate as changed_at,
        systemmodstamp as system_modified_at,

        -- partition (incremental refresh by month)
        {{ event_month('createddate') }} as event_month,

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
        opportunity_history_id,
        deal_id,
        created_by_id,

        -- strings
        pipeline,
        stage_label,
        stage_label_normalized,
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
        is_deleted,
        is_currency_defaulted,
        is_fx_rate_missing,

        -- dates and timestamps
        close_date,
        fx_rate_date,
        changed_at,
        system_modified_at,

        -- partition (incremental refresh by month)
        event_month,

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
{{ month_refresh_filter(source('salesforce', 'opportunity_history'), raw_keys, 'createddate', staged_keys) }}
