{#- The stage history the sources record for persons, one row per recorded stage entry, labels as
    written: `history` (Salesforce LeadHistory status changes, HubSpot lifecyclestage property
    history, mapping-file stage events) and `stage_dates` (HubSpot hs_lifecyclestage_*_date). -#}
{#- A view: read once, by the stage evidence union; nothing to store twice. -#}
{{ config(materialized='view') }}

with

persons as (

    select * from {{ ref('int_persons') }}

),

salesforce_lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

),

hubspot_property_history as (

    select * from {{ ref('stg_hubspot__property_history') }}

),

hubspot_contact_lifecycle_dates as (

    select * from {{ ref('stg_hubspot__contact_lifecycle_dates') }}

),

generic_stage_events as (

    select * from {{ ref('stg_generic__stage_events') }}

),

-- numbered, because a lead's first status is the OldValue of its first Status change
salesforce_status_changes as (

    select
        source_system,
        lead_id,
        old_stage_label,
        new_stage_label,
        changed_at,
        row_number() over (
            partition by source_system, lead_id
            order by changed_at, lead_history_id
        ) as change_number
    from salesforce_lead_history
    where is_status_change
        and not coalesce(is_deleted, false)
        and changed_at is not null

),

history_rows as (

    select
        source_system,
        lead_id as person_id,
        new_stage_label as stage_label,
        changed_at as entered_at,
        'history' as evidence
    from salesforce_status_changes
    where new_stage_label is not null

    union all

    -- a lead's first status is the OldValue of its first Status change, entered at creation
    select
        changes.source_system,
        changes.lead_id as person_id,
        changes.old_stage_label as stage_label,
        persons.created_at as entered_at,
        'history' as evidence
    from salesforce_status_changes as changes
    inner join persons
        on changes.source_system = persons.source_system
        and changes.lead_id = persons.person_id
    where changes.change_number = 1
        and changes.old_stage_label is not null

    union all

    select
        source_system,
        object_id as person_id,
        stage_label,
        changed_at as entered_at,
        'history' as evidence
    from hubspot_property_history
    where object_type = 'contact'
        and property_name = 'lifecyclestage'
        and stage_label is not null
        and changed_at is not null

    union all

    select
        source_system,
        entity_id as person_id,
        stage_label,
        entered_at,
        'history' as evidence
    from generic_stage_events
    where entity_type = 'person'
        and stage_label is not null
        and entered_at is not null

    union all

    select
        source_system,
        contact_id as person_id,
        stage_label,
        entered_at,
        'stage_dates' as evidence
    from hubspot_contact_lifecycle_dates
    where stage_label is not null
        and entered_at is not null

)

select
    source_system,
    person_id,
    stage_label,
    entered_at,
    evidence
from history_rows
