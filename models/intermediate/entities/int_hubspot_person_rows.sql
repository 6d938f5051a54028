{#- HubSpot contacts in the shape int_persons unions, those listed in another contact's
    hs_merged_object_ids removed. A view: only int_persons reads it. -#}
{{ config(materialized='view') }}

with

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

-- hs_merged_object_ids lists the contacts merged into a surviving one: those ids are gone
hubspot_merged_away as (

    select distinct
        source_system,
        trim(merged_id) as contact_id
    from (
        select
            source_system,
            {{ split_to_rows('merged_object_ids', ';') }} as merged_id
        from hubspot_contacts
        where merged_object_ids is not null
    ) as exploded

),

hubspot_persons as (

    select
        contacts.source_system,
        contacts.contact_id as person_id,
        contacts.email_hash,
        contacts.company_id as account_id,
        contacts.owner_id,
        contacts.lead_source,
        contacts.lead_score,
        contacts.country,
        contacts.stage_label,
        cast(null as {{ dbt.type_string() }}) as converted_contact_id,
        contacts.created_at
    from hubspot_contacts as contacts
    left join hubspot_merged_away as merged
        on contacts.source_system = merged.source_system
        and contacts.contact_id = merged.contact_id
    where merged.contact_id is null

)

select
    source_system,
    person_id,
    email_hash,
    account_id,
    owner_id,
    lead_source,
    lead_score,
    country,
    stage_label,
    converted_contact_id,
    created_at
from hubspot_persons
