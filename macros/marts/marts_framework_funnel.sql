{#- The logical CTEs shared by fct_aida_funnel and fct_tofu_mofu_bofu, ending in a CTE `final`
    (one row per source system, framework, cohort month, channel and phase): persons by their
    furthest stage mapped to the seeded phases, reached per phase and conversion between phases.
    `frameworks` is a list of (framework, phase_column) pairs, phase_column a column of
    stage_definitions (aida_phase, aidma_phase, funnel_position); the other arguments name the
    model's import CTEs. -#}
{% macro marts_framework_funnel(
    frameworks,
    person_stage_reach='person_stage_reach',
    persons='persons',
    stage_definitions='stage_definitions'
) -%}

furthest_stages as (

    select
        person_key,
        source_system,
        max(stage_order) as furthest_stage_order,
        min(reached_at) as entered_funnel_at
    from {{ person_stage_reach }}
    group by
        person_key,
        source_system

),

-- each person once under its channel and once under 'all'
people_by_channel as (

    select
        furthest_stages.source_system,
        cast({{ dbt.date_trunc('month', to_business_time('furthest_stages.entered_funnel_at')) }} as date) as cohort_month,
        coalesce({{ persons }}.channel, 'unknown') as channel,
        furthest_stages.furthest_stage_order
    from furthest_stages
    left join {{ persons }}
        on furthest_stages.person_key = {{ persons }}.person_key

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

phases as (

    {%- for framework, column in frameworks %}
    {%- if not loop.first %}

    union all
    {% endif %}
    {{ marts_person_phases(stage_definitions, framework, column) }}
    {%- endfor %}

),

phase_reach as (

    {{ marts_phase_reach('people', 'phases') }}

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
        -- conversion between phases, see semantics "AIDA and TOFU / MOFU / BOFU"
        {{ safe_divide('persons_reached', 'persons_reached_previous_phase') }} as conversion_from_previous_phase,
        {{ safe_divide('persons_reached', 'persons_in_cohort') }} as conversion_from_top
    from with_denominators

)

{%- endmacro %}
