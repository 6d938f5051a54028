{#- Exact, linearly interpolated percentile (continuous) of a numeric expression, the same value on
    every engine: DuckDB quantile_cont and Spark percentile both interpolate between the two
    nearest ranks at (n - 1) * p. p is a literal between 0 and 1. -#}
{% macro marts_percentile(expr, p) -%}
    {{ return(adapter.dispatch('marts_percentile', 'funnel_warehouse')(expr, p)) }}
{%- endmacro %}

{% macro default__marts_percentile(expr, p) -%}
    percentile_cont({{ p }}) within group (order by cast({{ expr }} as double))
{%- endmacro %}

{% macro duckdb__marts_percentile(expr, p) -%}
    quantile_cont(cast({{ expr }} as double), {{ p }})
{%- endmacro %}

{% macro spark__marts_percentile(expr, p) -%}
    percentile(cast({{ expr }} as double), {{ p }})
{%- endmacro %}


{#- The same exact, interpolated percentile, as an aggregate over rows that carry their value's
    0-based rank among the group's non-null values (value_rank, values nulls last) and the
    group's count of non-null values (values_ranked): v[lo] + ((n - 1) * p - lo) * (v[hi] - v[lo]),
    lo and hi the ranks just below and above (n - 1) * p, the arithmetic quantile_cont uses. Null
    when the group has no value. Plain aggregates of a sort, so it spills like a sort does. -#}
{% macro marts_percentile_of_ranked(expr, p, rank='value_rank', count='values_ranked') -%}
    {%- set position = '(' ~ count ~ ' - 1) * ' ~ p -%}
    {%- set below = 'max(case when ' ~ rank ~ ' = floor(' ~ position ~ ') then cast(' ~ expr ~ ' as double) end)' -%}
    {%- set above = 'max(case when ' ~ rank ~ ' = ceil(' ~ position ~ ') then cast(' ~ expr ~ ' as double) end)' -%}
    ({{ below }} + (max({{ position }}) - floor(max({{ position }}))) * ({{ above }} - {{ below }}))
{%- endmacro %}


{#- Several exact percentiles of one expression as a list, computed from one sort of the group's
    values (two marts_percentile aggregates each keep and sort their own copy); take each with
    marts_list_item(list, i), i counted from 0. -#}
{% macro marts_percentiles(expr, ps) -%}
    {{ return(adapter.dispatch('marts_percentiles', 'funnel_warehouse')(expr, ps)) }}
{%- endmacro %}

{% macro duckdb__marts_percentiles(expr, ps) -%}
    quantile_cont(cast({{ expr }} as double), [{{ ps | join(', ') }}])
{%- endmacro %}

{% macro spark__marts_percentiles(expr, ps) -%}
    percentile(cast({{ expr }} as double), array({{ ps | join(', ') }}))
{%- endmacro %}

{#- The i-th item (from 0) of a list: DuckDB counts from 1, Spark from 0. -#}
{% macro marts_list_item(list_expr, i) -%}
    {{ return(adapter.dispatch('marts_list_item', 'funnel_warehouse')(list_expr, i)) }}
{%- endmacro %}

{% macro duckdb__marts_list_item(list_expr, i) -%}
    {{ list_expr }}[{{ i + 1 }}]
{%- endmacro %}

{% macro spark__marts_list_item(list_expr, i) -%}
    {{ list_expr }}[{{ i }}]
{%- endmacro %}
