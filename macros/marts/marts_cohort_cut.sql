{#- One period grain and segment cut of the cohort stage counts (int_funnel_cohort_stage_counts):
    entities per cohort period, cut value and stage, with the exact median and p90 of their days
    from entry. `segment_type` is 'all' or a type of marts_funnel_segments().
    A cut whose values grow with the company (many_values: one per rep) has a group per rep, day
    and stage: at 10M leads tens of millions of groups. DuckDB's percentile aggregate keeps a
    state per group, and there its spill filled the disk (about 50 GB); those cuts rank the values in
    a window instead (a sort, which spills compactly) and interpolate between the two ranks
    around (n - 1) * p, as quantile_cont does. The other cuts have few groups, where the aggregate
    is twice as fast. -#}
{% macro marts_cohort_cut(stage_reach, grain, segment_type) -%}
    {%- set segment = {'type': 'all', 'column': none} if segment_type == 'all'
        else (marts_funnel_segments() | selectattr('type', 'equalto', segment_type) | first) -%}
    {%- set by_sorting = segment.many_values is defined and segment.many_values -%}
    {%- set group_keys = 'source_system, entity_type, pipeline, period_start, segment_value, stage' -%}
    select
        source_system,
        entity_type,
        pipeline,
        '{{ grain }}' as period_grain,
        period_start,
        '{{ segment.type }}' as segment_type,
        segment_value,
        stage,
        count(*) as entities_reached,
        sum(case when is_lost_at_stage then 1 else 0 end) as entities_lost_at_stage,
        sum(case when is_open_at_stage then 1 else 0 end) as entities_open_at_stage,
        {%- if by_sorting %}
        {{ marts_percentile_of_ranked('days_from_entry', 0.5) }} as median_days_from_entry,
        {{ marts_percentile_of_ranked('days_from_entry', 0.9) }} as p90_days_from_entry
        {%- else %}
        {{ marts_percentile('days_from_entry', 0.5) }} as median_days_from_entry,
        {{ marts_percentile('days_from_entry', 0.9) }} as p90_days_from_entry
        {%- endif %}
    from (
        select
            source_system,
            entity_type,
            pipeline,
            period_start,
            segment_value,
            stage,
            is_lost_at_stage,
            is_open_at_stage,
            {%- if by_sorting %}
            row_number() over (
                partition by {{ group_keys }} order by days_from_entry asc nulls last
            ) - 1 as value_rank,
            count(days_from_entry) over (partition by {{ group_keys }}) as values_ranked,
            {%- endif %}
            days_from_entry
        from (
            select
                source_system,
                entity_type,
                pipeline,
                cast({{ dbt.date_trunc(grain, to_business_time('entered_funnel_at')) }} as date) as period_start,
                {%- if segment.column is none %}
                'all' as segment_value,
                {%- else %}
                {{ marts_segment_value(segment) }} as segment_value,
                {%- endif %}
                stage,
                is_lost_at_stage,
                is_open_at_stage,
                days_from_entry
            from {{ stage_reach }}
            {{- marts_segment_where(segment) }}
        ) as cut_rows
    ) as ranked_rows
    group by {{ group_keys }}
{%- endmacro %}


{#- Every (grain, segment_type) cut of the cohort funnel, 'all' first. -#}
{% macro marts_cohort_cuts() -%}
    {%- set cuts = [] -%}
    {%- for grain in marts_period_grains() -%}
        {%- for segment_type in ['all'] + (marts_funnel_segments() | map(attribute='type') | list) -%}
            {%- do cuts.append([grain, segment_type]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(cuts) }}
{%- endmacro %}
