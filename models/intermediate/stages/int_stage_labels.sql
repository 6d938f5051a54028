with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

salesforce_opportunity_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

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

hubspot_pipeline_stages as (

    select * from {{ ref('stg_hubspot__pipeline_stages') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

hubspot_contact_lifecycle_dates as (

    select * from {{ ref('stg_hubspot__contact_lifecycle_dates') }}

),

hubspot_property_history as (

    select * from {{ ref('stg_hubspot__property_history') }}

),

generic_persons as (

    select * from {{ ref('stg_generic__persons') }}

),

generic_deals as (

    select * from {{ ref('stg_generic__deals') }}

),

generic_stage_events as (

    select * from {{ ref('stg_generic__stage_events') }}

),

generic_stage_labels as (

    select * from {{ ref('stg_generic__stage_labels') }}

),

-- every landed version of current-state files: a label seen only in an older export must be
-- mapped (and, if unknown, named by the unmapped-labels test) too
deal_state_versions as (

    select * from {{ ref('int_deal_state_versions') }}

),

person_state_versions as (

    select * from {{ ref('int_person_state_versions') }}

),

seeded_stage_labels as (

    select * from {{ ref('stage_label_map') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- HubSpot's history tables carry only the deal id: a stage id means something in its deal's pipeline
hubspot_deal_pipelines as (

    select
        deal_id,
        coalesce(pipeline, 'default') as pipeline
    from hubspot_deals

),

observed_labels as (

    select source_system, 'deal' as entity_type, pipeline, stage_label
    from salesforce_opportunities

    union all

    select source_system, 'deal' as entity_type, pipeline, stage_label
    from salesforce_opportunity_history

    union all

    select source_system, 'person' as entity_type, 'lifecycle' as pipeline, stage_label
    from salesforce_leads

    union all

    select source_system, 'person' as entity_type, 'lifecycle' as pipeline, old_stage_label as stage_label
    from salesforce_lead_history
    where is_status_change

    union all

    select source_system, 'person' as entity_type, 'lifecycle' as pipeline, new_stage_label as stage_label
    from salesforce_lead_history
    where is_status_change

    union all

    select source_system, 'deal' as entity_type, coalesce(pipeline, 'default') as pipeline, stage_label
    from hubspot_deals

    union all

    select entered.source_system, 'deal' as entity_type, coalesce(deals.pipeline, 'default') as pipeline, entered.stage_label
    from hubspot_deal_stage_entered as entered
    left join hubspot_deal_pipelines as deals
        on entered.deal_id = deals.deal_id

    union all

    select exited.source_system, 'deal' as entity_type, coalesce(deals.pipeline, 'default') as pipeline, exited.stage_label
    from hubspot_deal_stage_exited as exited
    left join hubspot_deal_pipelines as deals
        on exited.deal_id = deals.deal_id

    union all

    select history.source_system, 'deal' as entity_type, coalesce(deals.pipeline, 'default') as pipeline, history.stage_label
    from hubspot_property_history as history
    left join hubspot_deal_pipelines as deals
        on history.object_id = deals.deal_id
    where history.object_type = 'deal'
        and history.property_name = 'dealstage'

    union all

    select source_system, 'person' as entity_type, 'lifecycle' as pipeline, stage_label
    from hubspot_contacts

    union all

    select source_system, 'person' as entity_type, 'lifecycle' as pipeline, stage_label
    from hubspot_contact_lifecycle_dates

    union all

    select source_system, 'person' as entity_type, 'lifecycle' as pipeline, stage_label
    from hubspot_property_history
    where object_type = 'contact'
        and property_name = 'lifecyclestage'

    union all

    select source_system, 'person' as entity_type, 'lifecycle' as pipeline, stage_label
    from generic_persons

    union all

    select source_system, 'deal' as entity_type, pipeline, stage_label
    from generic_deals

    union all

    select source_system, entity_type, pipeline, stage_label
    from generic_stage_events

    union all

    select source_system, 'deal' as entity_type, pipeline, stage_label
    from deal_state_versions

    union all

    select source_system, 'person' as entity_type, pipeline, stage_label
    from person_state_versions

),

distinct_labels as (

    select distinct
        source_system,
        entity_type,
        pipeline,
        stage_label
    from observed_labels
    where stage_label is not null

),

-- a numeric HubSpot custom stage id is resolved through its label, as a fallback to the id itself
labels_with_pipeline_label as (

    select
        labels.source_system,
        labels.entity_type,
        labels.pipeline,
        labels.stage_label,
        {{ normalize_label('labels.stage_label') }} as stage_label_normalized,
        pipeline_stages.stage_label as pipeline_stage_label,
        {{ normalize_label('pipeline_stages.stage_label') }} as pipeline_stage_label_normalized
    from distinct_labels as labels
    left join hubspot_pipeline_stages as pipeline_stages
        on labels.source_system = 'hubspot'
        and labels.entity_type = 'deal'
        and labels.pipeline = pipeline_stages.pipeline_id
        and labels.stage_label = pipeline_stages.stage_id

),

match_keys as (

    select
        source_system,
        entity_type,
        pipeline,
        stage_label,
        stage_label_normalized as match_label,
        'stage_label' as matched_on,
        1 as match_priority
    from labels_with_pipeline_label

    union all

    select
        source_system,
        entity_type,
        pipeline,
        stage_label,
        pipeline_stage_label_normalized as match_label,
        'pipeline_stage_label' as matched_on,
        2 as match_priority
    from labels_with_pipeline_label
    where pipeline_stage_label_normalized is not null

),

label_map as (

    select
        lower(trim(source_system)) as source_system,
        lower(trim(pipeline)) as pipeline,
        {{ normalize_label('stage_label') }} as match_label,
        stage,
        'mapping_file' as mapping_origin,
        1 as origin_priority
    from generic_stage_labels

    union all

    select
        lower(trim(source_system)) as source_system,
        lower(trim(pipeline)) as pipeline,
        {{ normalize_label('raw_label') }} as match_label,
        {{ normalize_code('stage') }} as stage,
        'seed' as mapping_origin,
        2 as origin_priority
    from seeded_stage_labels

),

candidates as (

    select
        match_keys.source_system,
        match_keys.entity_type,
        match_keys.pipeline,
        match_keys.stage_label,
        match_keys.matched_on,
        match_keys.match_priority,
        label_map.stage,
        label_map.mapping_origin,
        label_map.origin_priority,
        label_map.source_system as matched_source_system,
        label_map.pipeline as matched_pipeline,
        case
            when label_map.source_system <> '*' and label_map.pipeline <> '*' then 1
            when label_map.source_system <> '*' then 2
            when label_map.pipeline <> '*' then 3
            else 4
        end as specificity
    from match_keys
    inner join label_map
        on match_keys.match_label = label_map.match_label
        and label_map.source_system in (lower(match_keys.source_system), '*')
        and label_map.pipeline in (lower(match_keys.pipeline), '*')
    -- a candidate must be a stage of the entity's own type (a lead status never maps to a deal stage)
    inner join stage_definitions
        on match_keys.entity_type = stage_definitions.entity_type
        and label_map.stage = stage_definitions.stage

),

-- the most specific candidate wins: the id before its pipeline label, exact pipeline before *,
-- exact source system before *, a mapping file's label before the seed's
ranked_candidates as (

    select
        *,
        row_number() over (
            partition by source_system, entity_type, pipeline, stage_label
            order by match_priority, specificity, origin_priority, stage
        ) as candidate_rank
    from candidates

),

best_candidates as (

    select * from ranked_candidates
    where candidate_rank = 1

),

final as (

    select
        -- keys
        labels.source_system,
        labels.entity_type,
        labels.pipeline,
        labels.stage_label,

        -- strings
        labels.stage_label_normalized,
        labels.pipeline_stage_label,
        coalesce(best.stage, 'unmapped') as stage,
        coalesce(best.mapping_origin, 'unmapped') as mapping_origin,
        best.matched_on,
        best.matched_source_system,
        best.matched_pipeline,

        -- booleans
        best.stage is null as is_unmapped

    from labels_with_pipeline_label as labels
    left join best_candidates as best
        on labels.source_system = best.source_system
        and labels.entity_type = best.entity_type
        and labels.pipeline = best.pipeline
        and labels.stage_label = best.stage_label

)

select * from final
