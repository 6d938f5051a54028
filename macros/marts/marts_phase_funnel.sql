{#- Phases of a framework (AIDA, AIDMA, funnel position) from the seeded person stages: a phase
    starts at the lowest stage_order of the stages mapped to it. `phase_column` is a column of
    stage_definitions (aida_phase, aidma_phase, funnel_position). -#}
{% macro marts_person_phases(stage_definitions, framework, phase_column) -%}
    select
        '{{ framework }}' as framework,
        phase,
        phase_start_order,
        dense_rank() over (order by phase_start_order) as phase_order,
        lead(phase_start_order) over (order by phase_start_order) as next_phase_start_order
    from (
        select
            {{ phase_column }} as phase,
            min(stage_order) as phase_start_order
        from {{ stage_definitions }}
        where entity_type = 'person'
            and stage_order is not null
            and {{ phase_column }} is not null
        group by {{ phase_column }}
    ) as phase_starts
{%- endmacro %}


{#- Persons reaching each phase, pass-through by phase order: a person whose furthest stage lies in
    phase p has reached p and every earlier phase. `people` has source_system, cohort_month,
    channel, furthest_stage_order; `phases` is marts_person_phases output. -#}
{% macro marts_phase_reach(people, phases) -%}
    select
        {{ people }}.source_system,
        {{ phases }}.framework,
        {{ people }}.cohort_month,
        {{ people }}.channel,
        {{ phases }}.phase,
        {{ phases }}.phase_order,
        sum(case when {{ people }}.furthest_stage_order >= {{ phases }}.phase_start_order then 1 else 0 end)
            as persons_reached,
        sum(
            case
                when {{ people }}.furthest_stage_order >= {{ phases }}.phase_start_order
                    and ({{ phases }}.next_phase_start_order is null
                        or {{ people }}.furthest_stage_order < {{ phases }}.next_phase_start_order)
                    then 1
                else 0
            end
        ) as persons_furthest_in_phase
    from {{ people }}
    cross join {{ phases }}
    group by
        {{ people }}.source_system,
        {{ phases }}.framework,
        {{ people }}.cohort_month,
        {{ people }}.channel,
        {{ phases }}.phase,
        {{ phases }}.phase_order
{%- endmacro %}
