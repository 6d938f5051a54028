{%- set entity_type -%}
    case
        when lower(trim(entity_type)) in ('person', 'persons', 'lead', 'contact') then 'person'
        when lower(trim(entity_type)) in ('deal', 'deals', 'opportunity') then 'deal'
        else lower(trim(entity_type))
    end
{%- endset -%}

with

source as (

    select * from {{ source('generic', 'stage_events') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=['_source_system', entity_type, clean_id('entity_id'), clean_text('pipeline'), normalize_label('stage'), 'entered_at']
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('entity_id') }} as entity_id,

        -- strings
        {{ entity_type }} as entity_type,
        -- a person's stages are its lifecycle, whatever the file calls it; a deal without a
        -- pipeline is in the default one
        case
            when {{ entity_type }} = 'person' then 'lifecycle'
            else coalesce({{ clean_text('pipeline') }}, 'default')
        end as pipeline,
        {{ clean_text('stage') }} as stage_label,
        {{ normalize_label('stage') }} as stage_label_normalized,

        -- timestamps
        entered_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
