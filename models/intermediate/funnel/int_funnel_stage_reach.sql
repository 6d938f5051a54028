{#- One row per entity (person or deal) per funnel stage it reached, pass-through applied, with its
    funnel entry, lost / still-open flags and segment attributes: the base of every funnel mart. -#}
with

stage_reach as (

    select * from {{ ref('int_stage_reach') }}

),

entity_outcomes as (

    select * from {{ ref('int_funnel_entity_outcomes') }}

),

entity_segments as (

    select * from {{ ref('int_funnel_entity_segments') }}

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
        coalesce(entity_outcomes.lost_at_stage = with_entry.stage, false) as is_lost_at_stage,
        case
            when entity_outcomes.lost_at_stage = with_entry.stage then entity_outcomes.lost_at
        end as lost_at,
        coalesce(entity_outcomes.current_stage = with_entry.stage and entity_outcomes.is_open, false)
            as is_open_at_stage,

        -- segments
        entity_segments.owner_key,
        entity_segments.manager_key,
        entity_segments.team,
        entity_segments.region,
        entity_segments.channel,
        entity_segments.product,
        entity_segments.customer_segment,
        entity_segments.deal_type

    from with_entry
    left join entity_outcomes
        on with_entry.entity_type = entity_outcomes.entity_type
        and with_entry.entity_key = entity_outcomes.entity_key
    left join entity_segments
        on with_entry.entity_type = entity_segments.entity_type
        and with_entry.entity_key = entity_segments.entity_key

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
