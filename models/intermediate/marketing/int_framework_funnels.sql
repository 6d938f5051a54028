{#- The framework funnels (docs/metrics.md), one model for every framework:
    persons by their furthest stage mapped to the seeded phases of AIDA, AIDMA and the funnel position
    (TOFU / MOFU / BOFU), reached per phase and conversion between phases, per cohort month and
    channel. fct_aida_funnel and fct_tofu_mofu_bofu are its published cuts. -#}
{#- A view: its two marts each read their frameworks' rows, so it is computed where it is stored. -#}
{{ config(materialized='view') }}
with

person_stage_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

phases as (

    select * from {{ ref('int_framework_phases') }}

),

furthest_stages as (

    select
        person_key,
        source_system,
        max(stage_order) as furthest_stage_order,
        min(reached_at) as entered_funnel_at
    from person_stage_reach
    group by person_key, source_system

),

-- each person once under its channel and once under 'all'
people_by_channel as (

    select
        furthest_stages.source_system,
        cast({{ dbt.date_trunc('month', to_business_time('furthest_stages.entered_funnel_at')) }} as date)
            as cohort_month,
        coalesce(persons.channel, 'unknown') as channel,
        furthest_stages.furthest_stage_order
    from furthest_stages
    left join persons
        on furthest_stages.person_key = persons.person_key

),

people as (

    select * from people_by_channel

    union all

    select
        source_system,
        cohort_month,
        'all' as channel,
        furthest_stage_order
    from people_by_channel

),

-- a person whose furthest stage lies in phase p reached p and every earlier phase (pass-through)
phase_reach as (

    select
        people.source_system,
        phases.framework,
        people.cohort_month,
        people.channel,
        phases.phase,
        phases.phase_order,
        sum(case when people.furthest_stage_order >= phases.phase_start_order then 1 else 0 end) as persons_reached,
        sum(
            case
                when people.furthest_stage_order >= phases.phase_start_order
                    and (
                        phases.next_phase_start_order is null
                        or people.furthest_stage_order < phases.next_phase_start_order
                    )
                    then 1
                else 0
            end
        ) as persons_furthest_in_phase
    from people
    cross join phases
    group by
        people.source_system,
        phases.framework,
        people.cohort_month,
        people.channel,
        phases.phase,
        phases.phase_order

),

with_denominators as (

    select
        *,
        lag(persons_reached) over (
            partition by source_system, framework, cohort_month, channel order by phase_order
        ) as persons_reached_previous_phase,
        max(case when phase_order = 1 then persons_reached end) over (
            partition by source_system, framework, cohort_month, channel
        ) as persons_in_cohort
    from phase_reach

),

final as (

    select
        source_system,
        framework,
        cohort_month,
        channel,
        phase,
        phase_order,
        persons_in_cohort,
        persons_reached,
        persons_reached_previous_phase,
        persons_furthest_in_phase,
        -- conversion between phases, see docs/metrics.md
        {{ safe_divide('persons_reached', 'persons_reached_previous_phase') }} as conversion_from_previous_phase,
        {{ safe_divide('persons_reached', 'persons_in_cohort') }} as conversion_from_top
    from with_denominators

)

select
    source_system,
    framework,
    cohort_month,
    channel,
    phase,
    phase_order,
    persons_in_cohort,
    persons_reached,
    persons_reached_previous_phase,
    persons_furthest_in_phase,
    conversion_from_previous_phase,
    conversion_from_top
from final
