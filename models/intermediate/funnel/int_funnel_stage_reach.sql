{#- One row per entity (person or deal) per funnel stage it reached, pass-through applied, with its
    funnel entry, lost / still-open flags and segment attributes: the base of every funnel mart. -#}
with

stage_reach as (

    select * from {{ ref('int_stage_reach') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

),

transitions as (

    select * from {{ ref('int_stage_transitions') }}

),

person_spells as (

    select * from {{ ref('int_person_spells') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- a pipeline uses a stage when some entity of it really entered the stage (not only passed
-- through it), so a seed stage no source of this pipeline knows does not pad its funnel
used_stage_reach as (

    select
        *,
        max(case when is_passed_through then 0 else 1 end) over (
            partition by source_system, entity_type, pipeline, stage
        ) as is_used_stage
    from stage_reach

),

-- entry into the funnel: the earliest reach of any of its stages (with pass-through, the reach of
-- the first stage)
with_entry as (

    select
        entity_type,
        entity_key,
        source_system,
        pipeline,
        stage,
        stage_order,
        reached_at,
        is_passed_through,
        min(reached_at) over (partition by entity_type, entity_key) as entered_funnel_at
    from used_stage_reach
    where is_used_stage = 1

),

exit_stages as (

    select
        entity_type,
        stage
    from stage_definitions
    where is_lost

),

-- the last stage change of each entity: when it goes into an exit (disqualified, closed_lost), the
-- entity is lost at the stage it left (its last open stage)
last_transitions as (

    select
        entity_type,
        entity_key,
        from_stage,
        to_stage,
        transitioned_at,
        row_number() over (
            partition by entity_type, entity_key
            order by transition_number desc, transitioned_at desc
        ) as recency_rank
    from transitions

),

lost_entities as (

    select
        last_transitions.entity_type,
        last_transitions.entity_key,
        last_transitions.from_stage as lost_at_stage,
        last_transitions.transitioned_at as lost_at
    from last_transitions
    inner join exit_stages
        on last_transitions.entity_type = exit_stages.entity_type
        and last_transitions.to_stage = exit_stages.stage
    where last_transitions.recency_rank = 1

),

-- current stage of each entity, and whether that stage is open (not closed, won or lost)
current_stages as (

    select
        'person' as entity_type,
        person_spells.person_key as entity_key,
        person_spells.stage as current_stage,
        coalesce(not stage_definitions.is_closed, false) as is_open
    from person_spells
    left join stage_definitions
        on stage_definitions.entity_type = 'person'
        and person_spells.stage = stage_definitions.stage
    where person_spells.is_current

    union all

    select
        'deal' as entity_type,
        deal_key as entity_key,
        current_stage,
        not coalesce(is_closed, false) as is_open
    from deals

),

owner_attributes as (

    select
        owner_key,
        manager_key,
        team,
        region
    from owners

),

entity_attributes as (

    select
        'person' as entity_type,
        persons.person_key as entity_key,
        persons.owner_key,
        persons.channel,
        cast(null as {{ dbt.type_string() }}) as product,
        accounts.customer_segment,
        cast(null as {{ dbt.type_string() }}) as deal_type
    from persons
    left join accounts
        on persons.account_key = accounts.account_key

    union all

    select
        'deal' as entity_type,
        deals.deal_key as entity_key,
        deals.owner_key,
        deals.channel,
        deals.product,
        accounts.customer_segment,
        deals.deal_type
    from deals
    left join accounts
        on deals.account_key = accounts.account_key

),

final as (

    select
        -- keys
        with_entry.source_system,
        with_entry.entity_type,
        with_entry.pipeline,
        with_entry.entity_key,
        with_entry.stage,
        with_entry.stage_order,

        -- reach
        with_entry.reached_at,
        with_entry.is_passed_through,
        with_entry.entered_funnel_at,
        {{ days_between('with_entry.entered_funnel_at', 'with_entry.reached_at') }}
            as days_from_entry,

        -- outcome at this stage
        coalesce(lost_entities.lost_at_stage = with_entry.stage, false) as is_lost_at_stage,
        case when lost_entities.lost_at_stage = with_entry.stage then lost_entities.lost_at end as lost_at,
        coalesce(current_stages.current_stage = with_entry.stage and current_stages.is_open, false)
            as is_open_at_stage,

        -- segments
        entity_attributes.owner_key,
        owner_attributes.manager_key,
        owner_attributes.team,
        owner_attributes.region,
        entity_attributes.channel,
        entity_attributes.product,
        entity_attributes.customer_segment,
        entity_attributes.deal_type

    from with_entry
    left join lost_entities
        on with_entry.entity_type = lost_entities.entity_type
        and with_entry.entity_key = lost_entities.entity_key
    left join current_stages
        on with_entry.entity_type = current_stages.entity_type
        and with_entry.entity_key = current_stages.entity_key
    left join entity_attributes
        on with_entry.entity_type = entity_attributes.entity_type
        and with_entry.entity_key = entity_attributes.entity_key
    left join owner_attributes
        on entity_attributes.owner_key = owner_attributes.owner_key

)

select
    source_system,
    entity_type,
    pipeline,
    entity_key,
    stage,
    stage_order,
    reached_at,
    is_passed_through,
    entered_funnel_at,
    days_from_entry,
    is_lost_at_stage,
    lost_at,
    is_open_at_stage,
    owner_key,
    manager_key,
    team,
    region,
    channel,
    product,
    customer_segment,
    deal_type
from final
