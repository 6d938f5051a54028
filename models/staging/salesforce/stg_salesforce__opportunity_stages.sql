with

source as (

    select * from {{ source('salesforce', 'opportunity_stage') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('id') }} as opportunity_stage_id,

        -- strings
        {{ clean_text('masterlabel') }} as stage_label,
        {{ normalize_label('masterlabel') }} as stage_label_normalized,
        {{ clean_text('apiname') }} as api_name,
        {{ clean_text('forecastcategoryname') }} as forecast_category,

        -- numerics
        sortorder as sort_order,
        {{ probability_to_unit('defaultprobability', 100) }} as default_probability,

        -- booleans
        {{ to_boolean('isactive') }} as is_active,
        {{ to_boolean('isclosed') }} as is_closed,
        {{ to_boolean('iswon') }} as is_won,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
