with

source as (

    select * from {{ source('hubspot', 'pipeline_stages') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', clean_id('pipeline_id'), clean_id('stage_id')]) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('pipeline_id') }} as pipeline_id,
        {{ clean_id('stage_id') }} as stage_id,

        -- strings
        {{ clean_text('pipeline_label') }} as pipeline_label,
        {{ clean_text('stage_label') }} as stage_label,
        {{ normalize_label('stage_label') }} as stage_label_normalized,

        -- numerics
        display_order,
        {{ probability_to_unit('probability', 1) }} as probability,

        -- booleans
        {{ to_boolean('is_closed') }} as is_closed,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
