{#- Every deal stage label the sources show, in the pipeline it means something in. -#}
with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

salesforce_opportunity_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

hubspot_deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

hubspot_deal_stage_entered as (

    select * from {{ ref('stg_hubspot__deal_stage_entered') }}

),

hubspot_deal_stage_exited as (

    select * from {{ ref('stg_hubspot__deal_stage_exited') }}

),

hubspot_property_history as (

    select * from {{ ref('stg_hubspot__property_history') }}

),

generic_deals as (

    select * from {{ ref('stg_generic__deals') }}

),

generic_stage_events as (

    select * from {{ ref('stg_generic__stage_events') }}

),

-- every landed version of a current-state file: a label seen only in an older export must be
-- mapped (and, if unknown, named by the unmapped-labels test) too
deal_state_versions as (

    select * from {{ ref('int_deal_state_versions') }}

),

-- HubSpot's history tables carry only the deal id: a stage id means something in its deal's pipeline
hubspot_deal_pipelines as (

    select
        deal_id,
        coalesce(pipeline, 'default') as pipeline
    from hubspot_deals

),

observed_labels as (

    select source_system, pipeline, stage_label
    from salesforce_opportunities

    union all

    select source_system, pipeline, stage_label
    from salesforce_opportunity_history

    union all

    select source_system, coalesce(pipeline, 'default') as pipeline, stage_label
    from hubspot_deals

    union all

    select entered.source_system, coalesce(deals.pipeline, 'default') as pipeline, entered.stage_label
    from hubspot_deal_stage_entered as entered
    left join hubspot_deal_pipelines as deals
        on entered.deal_id = deals.deal_id

    union all

    select exited.source_system, coalesce(deals.pipeline, 'default') as pipeline, exited.stage_label
    from hubspot_deal_stage_exited as exited
    left join hubspot_deal_pipelines as deals
        on exited.deal_id = deals.deal_id

    union all

    select history.source_system, coalesce(deals.pipeline, 'default') as pipeline, history.stage_label
    from hubspot_property_history as history
    left join hubspot_deal_pipelines as deals
        on history.object_id = deals.deal_id
    where history.object_type = 'deal'
        and history.property_name = 'dealstage'

    union all

    select source_system, pipeline, stage_label
    from generic_deals

    union all

    -- staging keeps a stage event's entity type to person or deal
    select source_system, pipeline, stage_label
    from generic_stage_events
    where entity_type = 'deal'

    union all

    select source_system, pipeline, stage_label
    from deal_state_versions

)

select distinct
    source_system,
    'deal' as entity_type,
    pipeline,
    stage_label
from observed_labels
where stage_label is not null
