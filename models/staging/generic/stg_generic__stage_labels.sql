with

source as (

    select * from {{ source('generic', 'stage_labels') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', "coalesce(lower(" ~ clean_text('pipeline') ~ "), '*')", normalize_label('raw_label')]
    ) }}

),

renamed as (

    select
        -- strings
        -- empty pipeline means every pipeline, like * in seeds/stage_label_map.csv
        coalesce({{ clean_text('pipeline') }}, '*') as pipeline,
        {{ clean_text('raw_label') }} as stage_label,
        {{ normalize_label('raw_label') }} as stage_label_normalized,
        {{ normalize_code('stage') }} as stage,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
