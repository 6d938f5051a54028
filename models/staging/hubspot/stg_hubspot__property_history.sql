{#- One row per value a property of a HubSpot object took. Values of personal-data
    properties (email, phone, names) are hashed; stage properties also give stage_label. -#}
{%- set pii_properties = "('email', 'phone', 'mobilephone', 'firstname', 'lastname', 'work_email', 'hs_additional_emails')" -%}
{%- set stage_properties = "('lifecyclestage', 'dealstage')" -%}

with

source as (

    select * from {{ source('hubspot', 'property_history') }}

),

deduplicated as (

    {{ deduplicate(
        'source',
        partition_by=[
            '_source_system',
            'lower(trim(object_type))',
            clean_id('object_id'),
            'lower(trim(property))',
            'timestamp',
            'value',
        ]
    ) }}

),

renamed as (

    select
        -- ids
        {{ clean_id('object_id') }} as object_id,

        -- strings
        case
            when lower(trim(object_type)) in ('contact', 'contacts', '0-1') then 'contact'
            when lower(trim(object_type)) in ('company', 'companies', '0-2') then 'company'
            when lower(trim(object_type)) in ('deal', 'deals', '0-3') then 'deal'
            else lower(trim(object_type))
        end as object_type,
        lower(trim(property)) as property_name,
        case
            when lower(trim(property)) in {{ pii_properties }} then {{ hash_pii('value') }}
            else {{ clean_text('value') }}
        end as property_value,
        case when lower(trim(property)) in {{ stage_properties }} then {{ clean_text('value') }} end as stage_label,
        case
            when lower(trim(property)) in {{ stage_properties }} then {{ normalize_label('value') }}
        end as stage_label_normalized,
        {{ clean_text('source_type') }} as change_source,

        -- booleans
        coalesce(lower(trim(property)) in {{ pii_properties }}, false) as is_value_hashed,

        -- timestamps
        timestamp as changed_at,

        -- lineage
        {{ lineage_columns() }}

    from deduplicated

)

select * from renamed
