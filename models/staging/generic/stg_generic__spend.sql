with

source as (

    select * from {{ source('generic', 'spend') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', 'day', 'lower(trim(platform))', clean_id('campaign_id')]
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('campaign_id') }} as campaign_id,

        -- strings
        lower(trim(platform)) as platform,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ currency_or_reporting('currency') }} as currency_code,

        -- numerics
        cast(cost as double) as cost,
        impressions,
        clicks,

        -- booleans
        {{ clean_text('currency') }} is null as is_currency_defaulted,

        -- dates
        day as spend_date,
        day as fx_rate_date,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

),

converted as (

    {{ to_reporting_currency('renamed', {'cost': 'cost_reporting'}) }}

),

final as (

    select
        -- ids
        campaign_id,

        -- strings
        platform,
        campaign_name,
        currency_code,

        -- numerics
        cost,
        cost_reporting,
        fx_rate,
        impressions,
        clicks,

        -- booleans
        is_currency_defaulted,
        is_fx_rate_missing,

        -- dates
        spend_date,
        fx_rate_date,

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
