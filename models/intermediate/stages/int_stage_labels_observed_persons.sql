{#- Every person (lifecycle) stage label the sources show; a person's pipeline is `lifecycle`. -#}
with

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

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

generic_stage_events as (

    select * from {{ ref('stg_generic__stage_events') }}

),

-- every landed version of a current-state file: a label seen only in an older export must be
-- mapped (and, if unknown, named by the unmapped-labels test) too
person_state_versions as (

    select * from {{ ref('int_person_state_versions') }}

),

observed_labels as (

    select source_system, 'lifecycle' as pipeline, stage_label
    from salesforce_leads

    union all

    select source_system, 'lifecycle' as pipeline, old_stage_label as stage_label
    from salesforce_lead_history
    where is_status_change

    union all

    select source_system, 'lifecycle' as pipeline, new_stage_label as stage_label
    from salesforce_lead_history
    where is_status_change

    union all

    select source_system, 'lifecycle' as pipeline, stage_label
    from hubspot_contacts

    union all

    select source_system, 'lifecycle' as pipeline, stage_label
    from hubspot_contact_lifecycle_dates

    union all

    select source_system, 'lifecycle' as pipeline, stage_label
    from hubspot_property_history
    where object_type = 'contact'
        and property_name = 'lifecyclestage'

    union all

    select source_system, 'lifecycle' as pipeline, stage_label
    from generic_persons

    union all

    -- staging keeps a stage event's entity type to person or deal (a person's pipeline: lifecycle)
    select source_system, pipeline, stage_label
    from generic_stage_events
    where entity_type = 'person'

    union all

    select source_system, pipeline, stage_label
    from person_state_versions

)

select distinct
    source_system,
    'person' as entity_type,
    pipeline,
    stage_label
from observed_labels
where stage_label is not null
