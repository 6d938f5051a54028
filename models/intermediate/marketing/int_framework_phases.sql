{#- The phases of the framework funnels (docs/metrics.md): where each phase
    of AIDA, AIDMA and the funnel position (TOFU / MOFU / BOFU) starts in the person stage order. -#}
{#- (framework, the stage_definitions column that maps a person stage to the framework's phase) -#}
{%- set frameworks = [('aida', 'aida_phase'), ('aidma', 'aidma_phase'), ('funnel_position', 'funnel_position')] %}
with

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- where each phase starts: the lowest stage_order of the person stages the seed maps to it
phase_starts as (

    {%- for framework, column in frameworks %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        '{{ framework }}' as framework,
        {{ column }} as phase,
        min(stage_order) as phase_start_order
    from stage_definitions
    where entity_type = 'person'
        and stage_order is not null
        and {{ column }} is not null
    group by {{ column }}
    {%- endfor %}

),

phases as (

    select
        framework,
        phase,
        phase_start_order,
        dense_rank() over (partition by framework order by phase_start_order) as phase_order,
        lead(phase_start_order) over (partition by framework order by phase_start_order) as next_phase_start_order
    from phase_starts

)

select
    framework,
    phase,
    phase_start_order,
    phase_order,
    next_phase_start_order
from phases
