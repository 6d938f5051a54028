{#- One row per stage change of a person (int_person_transitions) with the stage order of both
    ends and the person's segments from the one enriched person (int_persons_enriched). -#}
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

final as (

    select
        {{ dbt.concat(
            ["transitions.person_key", "':'", "cast(transitions.transition_number as " ~ dbt.type_string() ~ ")"]
        ) }} as transition_key,
        transitions.person_key,
        transitions.source_system,
        transitions.pipeline,
        transitions.transition_number,
        transitions.from_stage,
        from_definitions.stage_order as from_stage_order,
        transitions.to_stage,
        to_definitions.stage_order as to_stage_order,
        transitions.transitioned_at,
        cast({{ to_business_time('transitions.transitioned_at') }} as date) as transitioned_day,
        transitions.evidence,
        transitions.direction,
        transitions.entry_number,
        persons.channel,
        persons.owner_key,
        persons.team,
        persons.region,
        persons.customer_segment,
        persons.cohort_month
    from transitions
    left join persons
        on transitions.person_key = persons.person_key
    left join stage_definitions as from_definitions
        on from_definitions.entity_type = 'person'
        and transitions.from_stage = from_definitions.stage
    left join stage_definitions as to_definitions
        on to_definitions.entity_type = 'person'
        and transitions.to_stage = to_definitions.stage

)

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
