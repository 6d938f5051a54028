{#- A segment's value as text: 'unknown' when missing (the entity stays in the cut's total). -#}
{% macro marts_segment_value(segment) -%}
    coalesce(cast({{ segment.column }} as {{ dbt.type_string() }}), 'unknown')
{%- endmacro %}


{#- The where clause that keeps the entity types a segment applies to (empty when it applies to all). -#}
{% macro marts_segment_where(segment) -%}
    {%- if segment.entity_types is defined %}
    where entity_type in ('{{ segment.entity_types | join("', '") }}')
    {%- endif %}
{%- endmacro %}


{#- The period grains of the cohort and period funnels (docs/metrics.md; day, week, month, quarter). -#}
{% macro marts_period_grains() -%}
    {{ return(var('funnel_period_grains', ['day', 'week', 'month', 'quarter'])) }}
{%- endmacro %}


{#- One copy of each row of `relation` per period grain, with period_grain and period_start (the
    start of the period, as a date, of the UTC timestamp `ts_column` read in business time; or of
    `ts_column` as it is when it already holds a business-calendar date: business_date=true). -#}
{% macro marts_period_rows(relation, ts_column, columns, business_date=false) -%}
    {%- set local = ts_column if business_date else to_business_time(ts_column) -%}
    {%- for grain in marts_period_grains() %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        '{{ grain }}' as period_grain,
        cast({{ dbt.date_trunc(grain, local) }} as date) as period_start,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {%- endfor %}
{%- endmacro %}


{#- The start of the period (a date) of the business-time timestamp `local_ts`, for rows that carry
    their period grain in `grain_column` (one row per grain). -#}
{% macro period_start_of(grain_column, local_ts, grains=none) -%}
    case {{ grain_column }}
        {%- for grain in (grains if grains is not none else marts_period_grains()) %}
        when '{{ grain }}' then cast({{ dbt.date_trunc(grain, local_ts) }} as date)
        {%- endfor %}
    end
{%- endmacro %}


{#- The period grains as rows (period_grain): a select of constants, for a cross join that gives each
    row once per grain. -#}
{% macro period_grain_rows(grains=none) -%}
    {%- for grain in (grains if grains is not none else marts_period_grains()) %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select '{{ grain }}' as period_grain
    {%- endfor %}
{%- endmacro %}
