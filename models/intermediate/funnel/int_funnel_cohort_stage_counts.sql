{#- Cohort stage counts, one row per source system, entity type, pipeline, period grain, cohort
    period, segment cut and value, and stage reached: the input of fct_funnel_cohort (which adds
    the stages nobody reached and the conversions). Built one grain and cut at a time: the model
    creates the first cut and a post-hook appends each other one. The exact percentiles hold every
    value of their groups in memory until the statement ends, so one statement over all 40 cuts
    ran out of a 4 GB DuckDB memory limit at a million leads; one cut per statement peaks at a
    fraction of it (a separate statement each on Spark too). The owner and manager cuts rank
    their values in a window instead (see marts_cohort_cut). -#}
{%- set cuts = marts_cohort_cuts() -%}
{%- set hooks = [] -%}
{%- for grain, segment_type in cuts[1:] -%}
    {%- do hooks.append("{{ marts_cohort_insert_cut('" ~ grain ~ "', '" ~ segment_type ~ "') }}") -%}
{%- endfor -%}
{{ config(post_hook=hooks) }}

with

stage_reach as (

    select * from {{ ref('int_funnel_stage_reach') }}

),

first_cut as (

    {{ marts_cohort_cut('stage_reach', cuts[0][0], cuts[0][1]) }}

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
from first_cut
