{#- Marketing funnel, customer view (docs/metrics.md): awareness ->
    consideration -> conversion -> loyalty -> advocacy, people per phase per cohort month and channel. -#}
with

people_by_channel as (

    select * from {{ ref('int_marketing_funnel_people') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- each person once under its channel and once under 'all'
people as (

    select
        source_system,
        cohort_month,
        channel,
        furthest_phase
    from people_by_channel

    union all

    select
        source_system,
        cohort_month,
        'all' as channel,
        furthest_phase
    from people_by_channel

),

-- phase order from the seed: a phase starts at the lowest stage_order mapped to it
phases as (

    select
        phase,
        dense_rank() over (order by phase_start_order) as phase_order
    from (
        select
            marketing_phase as phase,
            min(stage_order) as phase_start_order
        from stage_definitions
        where entity_type = 'person'
            and stage_order is not null
            and marketing_phase is not null
        group by marketing_phase
    ) as phase_starts

),

people_phases as (

    select
        people.source_system,
        people.cohort_month,
        people.channel,
        phases.phase_order as furthest_phase_order
    from people
    inner join phases
        on people.furthest_phase = phases.phase

),

-- pass-through: a person whose furthest phase is p has reached p and every earlier phase
phase_reach as (

    select
        people_phases.source_system,
        people_phases.cohort_month,
        people_phases.channel,
        phases.phase,
        phases.phase_order,
        sum(case when people_phases.furthest_phase_order >= phases.phase_order then 1 else 0 end)
            as people_reached,
        sum(case when people_phases.furthest_phase_order = phases.phase_order then 1 else 0 end)
            as people_furthest_in_phase
    from people_phases
    cross join phases
    group by
        people_phases.source_system,
        people_phases.cohort_month,
        people_phases.channel,
        phases.phase,
        phases.phase_order

),

with_denominators as (

    select
        *,
        lag(people_reached) over (
            partition by source_system, cohort_month, channel order by phase_order
        ) as people_reached_previous_phase,
        max(case when phase_order = 1 then people_reached end) over (
            partition by source_system, cohort_month, channel
        ) as people_in_cohort
    from phase_reach

),

final as (

    select
        source_system,
        cohort_month,
        channel,
        phase,
        phase_order,
        people_in_cohort,
        people_reached,
        people_reached_previous_phase,
        people_furthest_in_phase,
        {{ safe_divide('people_reached', 'people_reached_previous_phase') }} as conversion_from_previous_phase,
        {{ safe_divide('people_reached', 'people_in_cohort') }} as conversion_from_top
    from with_denominators

)

select
    source_system,
    cohort_month,
    channel,
    phase,
    phase_order,
    people_in_cohort,
    people_reached,
    people_reached_previous_phase,
    people_furthest_in_phase,
    conversion_from_previous_phase,
    conversion_from_top
from final
