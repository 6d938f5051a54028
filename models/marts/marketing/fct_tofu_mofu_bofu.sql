{#- TOFU / MOFU / BOFU funnel (semantics: "AIDA and TOFU / MOFU / BOFU"): persons by their furthest
    stage mapped to the seeded funnel position, reached per position and conversion between
    positions, per cohort month and channel. -#}
{%- set frameworks = [('funnel_position', 'funnel_position')] %}
with

person_stage_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

{{ marts_framework_funnel(frameworks) }}

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
