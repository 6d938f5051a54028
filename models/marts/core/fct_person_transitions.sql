with

transitions as (

    select * from {{ ref('int_person_transitions') }}

),

persons as (

    select * from {{ ref('int_persons_enriched') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

{{ transition_facts(
    'transitions',
    'persons',
    'stage_definitions',
    'person_key',
    'person',
    ['channel', 'owner_key', 'team', 'region', 'customer_segment', 'cohort_month']
) }}

select
    transition_key,
    person_key,
    source_system,
    pipeline,
    transition_number,
    from_stage,
    from_stage_order,
    to_stage,
    to_stage_order,
    transitioned_at,
    transitioned_day,
    evidence,
    direction,
    entry_number,
    channel,
    owner_key,
    team,
    region,
    customer_segment,
    cohort_month
from final
