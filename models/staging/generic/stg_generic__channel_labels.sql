with

source as (

    select * from {{ source('generic', 'channel_labels') }}

),

deduplicated as (

    {{ deduplicate('source', partition_by=['_source_system', alnum_key('raw_label')]) }}

),

renamed as (

    select
        -- strings
        {{ clean_text('raw_label') }} as lead_source_label,
        {{ alnum_key('raw_label') }} as lead_source_key,
        lower({{ clean_text('channel') }}) as channel,

        -- lineage
        {{ lineage_columns(include_extra=false) }}

    from deduplicated
    where {{ alnum_key('raw_label') }} is not null

)

select * from renamed
