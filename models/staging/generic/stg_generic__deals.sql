with

source as (

    select * from {{ source('generic', 'deals') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('deal_id')], modified_at=['updated_at']) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('deal_id') }} as deal_id,
        {{ clean_id('account_id') }} as account_id,
        {{ clean_id('person_id') }} as person_id,
        {{ clean_id('owner_id') }} as owner_id,

        -- strings
        coalesce({{ clean_text('pipeline') }}, 'default') as pipeline,
        {{ clean_text('deal_name') }} as deal_name,
        {{ clean_text('stage') }} as stage_label,
        {{ normalize_label('stage') }} as stage_label_normalized,
        {{ clean_text('deal_type') }} as deal_type,
        lower({{ clean_text('status') }}) as status,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('product') }} as product,
        {{ clean_text('forecast_category') }} as forecast_category,
        {{ currency_or_reporting('currency') }} as currency_code,

        -- numerics
        cast(amount as double) as amount,
        -- raw generic probabilities are on the 0-100 scale (the loader applies probability_scale)
        {{ probability_to_unit('probability', var('generic_probability_scale', 100)) }} as probability,

        -- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,
        {{ clean_text('currency') }} is null as is_currency_defaulted,

        -- dates and timestamps
        coalesce(cast(closed_at as date), expected_close_date) as close_date,
        expected_close_date,
        coalesce(cast(closed_at as date), expected_close_date, cast(created_at as date)) as fx_rate_date,
        closed_at,
        created_at,
        updated_at,

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
        account_id,
        person_id,
        owner_id,

        -- strings
        pipeline,
        deal_name,
        stage_label,
        stage_label_normalized,
        deal_type,
        status,
        lead_source,
        product,
        forecast_category,
        currency_code,

        -- numerics
        amount,
        amount_reporting,
        fx_rate,
        probability,

        -- booleans
        is_deleted,
        is_currency_defaulted,
        is_fx_rate_missing,

        -- data-quality flags (loaded, counted in fct_data_quality_flags)
        {{ is_close_before_created('close_date', 'created_at') }} as is_close_before_created,
        {{ has_future_timestamp('created_at') }} as has_future_created_at,

        -- dates and timestamps
        close_date,
        expected_close_date,
        fx_rate_date,
        closed_at,
        created_at,
        updated_at,

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
