{#- The stage history the sources record for deals, one row per recorded stage entry, labels as
    written: `history` (Salesforce OpportunityHistory, HubSpot dealstage property history,
    mapping-file stage events) and `stage_dates` (HubSpot hs_date_entered_*). -#}
{#- A view: read once, by the stage evidence union; nothing to store twice. -#}
{{ config(materialized='view') }}

with

deals as (

    select * from {{ ref('int_deal_records') }}

),

salesforce_opportunity_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

hubspot_property_history as (

    select * from {{ ref('stg_hubspot__property_history') }}

),

hubspot_deal_stage_entered as (

    select * from {{ ref('stg_hubspot__deal_stage_entered') }}

),

generic_stage_events as (

    select * from {{ ref('stg_generic__stage_events') }}

),

history_rows as (

    select
        source_system,
        deal_id,
        pipeline,
        stage_label,
        changed_at as entered_at,
        'history' as evidence
    from salesforce_opportunity_history
    where not coalesce(is_deleted, false)
        and stage_label is not null
        and changed_at is not null

    union all

    -- HubSpot history rows carry no pipeline: the deal's own
    select
        history.source_system,
        history.object_id as deal_id,
        coalesce(deals.pipeline, 'default') as pipeline,
        history.stage_label,
        history.changed_at as entered_at,
        'history' as evidence
    from hubspot_property_history as history
    left join deals
        on history.source_system = deals.source_system
        and history.object_id = deals.deal_id
    where history.object_type = 'deal'
        and history.property_name = 'dealstage'
        and history.stage_label is not null
        and history.changed_at is not null

    union all

    select
        source_system,
        entity_id as deal_id,
        pipeline,
        stage_label,
        entered_at,
        'history' as evidence
    from generic_stage_events
    where entity_type = 'deal'
        and stage_label is not null
        and entered_at is not null

    union all

    select
        entered.source_system,
        entered.deal_id,
        coalesce(deals.pipeline, 'default') as pipeline,
        entered.stage_label,
        entered.entered_at,
        'stage_dates' as evidence
    from hubspot_deal_stage_entered as entered
    left join deals
        on entered.source_system = deals.source_system
        and entered.deal_id = deals.deal_id
    where entered.stage_label is not null
        and entered.entered_at is not null

)

select
    source_system,
    deal_id,
    pipeline,
    stage_label,
    entered_at,
    evidence
from history_rows
