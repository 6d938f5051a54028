{#- Leads whose score is at or above var('mql_score_threshold') but never became MQL (docs/metrics.md): one row per such person. -#}
{%- set threshold = var('mql_score_threshold', 75) %}
with

persons as (

    select * from {{ ref('int_persons') }}

),

person_stage_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

person_spells as (

    select * from {{ ref('int_person_spells') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- reached mql with pass-through: entered mql or any later stage
mql_reach as (

    select
        person_key
    from person_stage_reach
    where stage = 'mql'

),

furthest_stages as (

    select
        person_key,
        stage as furthest_stage
    from (
        select
            person_key,
            stage,
            row_number() over (partition by person_key order by stage_order desc) as stage_rank
        from person_stage_reach
    ) as ranked_reach
    where stage_rank = 1

),

current_stages as (

    select
        person_key,
        stage as current_stage
    from person_spells
    where is_current

),

final as (

    select
        persons.person_key,
        persons.source_system,
        persons.person_id,
        persons.lead_score,
        persons.owner_key,
        coalesce(persons.channel, 'unknown') as channel,
        furthest_stages.furthest_stage,
        current_stages.current_stage,
        coalesce(stage_definitions.is_lost, false) as is_disqualified,
        persons.created_at
    from persons
    left join mql_reach
        on persons.person_key = mql_reach.person_key
    left join furthest_stages
        on persons.person_key = furthest_stages.person_key
    left join current_stages
        on persons.person_key = current_stages.person_key
    left join stage_definitions
        on stage_definitions.entity_type = 'person'
        and current_stages.current_stage = stage_definitions.stage
    where persons.lead_score >= {{ threshold }}
        and mql_reach.person_key is null

)

select
    person_key,
    source_system,
    person_id,
    lead_score,
    owner_key,
    channel,
    furthest_stage,
    current_stage,
    is_disqualified,
    created_at
from final
