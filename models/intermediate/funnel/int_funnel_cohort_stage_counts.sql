{#- Cohort stage counts, one row per source system, entity type, pipeline, period grain, cohort
    period, segment cut and value, and stage reached: the input of fct_funnel_cohort (which adds
    the stages nobody reached and the conversions), with the exact median and p90 of the days from
    funnel entry.
    Stored one grain and cut per statement (materialization batched_table; each batch's filter
    reaches the grain and cut rows, so a statement expands one cut): exact percentiles hold every
    value of their groups until the statement ends, and one statement over all 40 cuts ran out of
    a 4 GB DuckDB memory limit at a million leads.
    The cuts whose values grow with the company (owner, manager: a group per rep, day and stage)
    sort each group's values into a list and interpolate (marts_percentile_of_sorted, quantile_cont's
    arithmetic): at 10M leads the percentile aggregate's per-group state filled the disk with spill
    (about 50 GB), while a sort spills compactly. The other cuts have few groups, where the
    aggregate is as fast. -#}
{%- set grains = marts_period_grains() -%}
{%- set cuts = [{'type': 'all', 'column': none}] + marts_funnel_segments() -%}
{%- set batches = [] -%}
{%- for grain in grains -%}{%- for cut in cuts -%}
{%- do batches.append({'period_grain': grain, 'segment_type': cut.type}) -%}
{%- endfor -%}{%- endfor -%}
{%- set sorted_cuts = cuts | selectattr('many_values', 'defined') | selectattr('many_values') | list -%}
{%- set aggregated_cuts = cuts | reject('in', sorted_cuts) | list -%}
{%- set group_keys = 'source_system, entity_type, pipeline, period_grain, period_start, segment_type, segment_value, stage' -%}
{{ config(materialized='batched_table', batches=batches) }}

with

{#- Every reach row once per period grain and per cut that applies to its entity type (one select
    per cut, so a batch's filter leaves one), split by how the cut's percentiles are computed. Each
    select reads the reach rows itself, not through a shared CTE: DuckDB materializes a CTE read
    more than once, whole, before a batch's filter reaches it (2-3x slower per batch). -#}
{%- for method, method_cuts in [('aggregated', aggregated_cuts), ('sorted', sorted_cuts)] if method_cuts %}
{{ method }}_cut_rows as (
    {%- for cut in method_cuts %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        stage_reach.source_system,
        stage_reach.entity_type,
        stage_reach.pipeline,
        period_grains.period_grain,
        {{ period_start_of('period_grains.period_grain', to_business_time('stage_reach.entered_funnel_at'), grains) }}
            as period_start,
        '{{ cut.type }}' as segment_type,
        {{ "'all'" if cut.column is none else marts_segment_value(cut) }} as segment_value,
        stage_reach.stage,
        stage_reach.is_lost_at_stage,
        stage_reach.is_open_at_stage,
        stage_reach.days_from_entry
    from {{ ref('int_funnel_stage_reach') }} as stage_reach
    cross join (
        {{ period_grain_rows(grains) }}
    ) as period_grains
    {{- marts_segment_where(cut) }}
    {%- endfor %}

),

{% endfor %}
aggregated_groups as (

    select
        {{ group_keys }},
        count(*) as entities_reached,
        sum(case when is_lost_at_stage then 1 else 0 end) as entities_lost_at_stage,
        sum(case when is_open_at_stage then 1 else 0 end) as entities_open_at_stage,
        {{ marts_percentiles('days_from_entry', [0.5, 0.9]) }} as days_from_entry_percentiles
    from aggregated_cut_rows
    group by {{ group_keys }}

),

aggregated_cuts as (

    select
        {{ group_keys }},
        entities_reached,
        entities_lost_at_stage,
        entities_open_at_stage,
        {{ marts_list_item_at('days_from_entry_percentiles', 0) }} as median_days_from_entry,
        {{ marts_list_item_at('days_from_entry_percentiles', 1) }} as p90_days_from_entry
    from aggregated_groups

),
{%- if sorted_cuts %}

-- many-valued cuts: each group's values in one sorted list (a sort, which spills compactly)
sorted_groups as (

    select
        {{ group_keys }},
        count(*) as entities_reached,
        sum(case when is_lost_at_stage then 1 else 0 end) as entities_lost_at_stage,
        sum(case when is_open_at_stage then 1 else 0 end) as entities_open_at_stage,
        {{ marts_sorted_values('days_from_entry') }} as sorted_days_from_entry
    from sorted_cut_rows
    group by {{ group_keys }}

),

sorted_cuts as (

    select
        {{ group_keys }},
        entities_reached,
        entities_lost_at_stage,
        entities_open_at_stage,
        {{ marts_percentile_of_sorted('sorted_days_from_entry', 0.5) }} as median_days_from_entry,
        {{ marts_percentile_of_sorted('sorted_days_from_entry', 0.9) }} as p90_days_from_entry
    from sorted_groups

),
{%- endif %}

final as (

    select * from aggregated_cuts
    {%- if sorted_cuts %}
    union all
    select * from sorted_cuts
    {%- endif %}

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
from final
