-- One row per staged record and data-quality flag it carries: implausible but real values that
-- loaded (the loader quarantines only what cannot be represented). Deals: close before created,
-- created in the future; persons (Salesforce leads and contacts, HubSpot contacts, generic
-- persons): created in the future. The flags themselves are computed in staging.
with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

hubspot_deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

generic_deals as (

    select * from {{ ref('stg_generic__deals') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

generic_persons as (

    select * from {{ ref('stg_generic__persons') }}

),

deals as (

    select source_system, deal_id as record_id, is_close_before_created, has_future_created_at
    from salesforce_opportunities
    union all
    select source_system, deal_id as record_id, is_close_before_created, has_future_created_at
    from hubspot_deals
    union all
    select source_system, deal_id as record_id, is_close_before_created, has_future_created_at
    from generic_deals

),

persons as (

    select source_system, lead_id as record_id, has_future_created_at
    from salesforce_leads
    union all
    select source_system, contact_id as record_id, has_future_created_at
    from salesforce_contacts
    union all
    select source_system, contact_id as record_id, has_future_created_at
    from hubspot_contacts
    union all
    select source_system, person_id as record_id, has_future_created_at
    from generic_persons

),

flagged as (

    select source_system, 'deal' as entity_type, record_id, 'close_before_created' as flag
    from deals
    where is_close_before_created

    union all

    select source_system, 'deal' as entity_type, record_id, 'future_created_at' as flag
    from deals
    where has_future_created_at

    union all

    select source_system, 'person' as entity_type, record_id, 'future_created_at' as flag
    from persons
    where has_future_created_at

)

select
    source_system,
    entity_type,
    record_id,
    flag
from flagged
