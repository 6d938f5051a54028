with

transitions as (

    select * from {{ ref('int_person_transitions') }}

),

dims as (

    select * from {{ ref('dim_persons') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

{{ transition_facts(
    'transitions',
    'dims',
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
