{#- Cohort stage counts, one row per source system, entity type, pipeline, period grain, cohort
    period, segment cut and value, and stage reached: the input of fct_funnel_cohort (which adds
    the stages nobody reached and the conversions). One select per grain and cut (macro
    marts_cohort_cut). Stored one cut per statement (materialization batched_table): the exact
    percentiles hold every value of their groups in memory until the statement ends, so one
    statement over all 40 cuts ran out of a 4 GB DuckDB memory limit at a million leads; one cut
    per statement peaks at a fraction of it. The owner and manager cuts rank their values in a
    window instead (see marts_cohort_cut). -#}
{%- set cuts = marts_cohort_cuts() -%}
{%- set batches = [] -%}
{%- for grain, segment_type in cuts -%}
    {%- do batches.append({'period_grain': grain, 'segment_type': segment_type}) -%}
{%- endfor -%}
{{ config(materialized='batched_table', batches=batches) }}

with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

),

cuts as (

    {%- for grain, segment_type in cuts %}
    {%- if not loop.first %}

    union all
    {% endif %}
    {{ marts_cohort_cut('stage_reach', grain, segment_type) }}
    {%- endfor %}

)

select
    source_system,
    entity_type,
    pipeline,
    period_grain,
    period_start,
    segment_type,
    segment_value,
    stage,
    entities_reached,
    entities_lost_at_stage,
    entities_open_at_stage,
    median_days_from_entry,
    p90_days_from_entry
from cuts
