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


{#- The same exact, interpolated percentile from a group's values sorted into one list (nulls left
    out; marts_sorted_values, an aggregate): v[lo] + ((n - 1) * p - lo) * (v[hi] - v[lo]), lo and hi
    the 0-based positions just below and above (n - 1) * p, quantile_cont's arithmetic (which DuckDB
    fuses into one multiply-add: its last bits can differ, by at most 1e-15 relative). Null
    when the group has no value. For groups that grow with the company (a group per rep, day and
    stage): at 19M groups in 40M rows, 3GB and 2 threads, quantile_cont ran out of memory, the list
    took 26-30 s and spilled 2.5-2.6 GB, a window rank and count 36-39 s
    (`python -m orchestration.bench.percentile_cuts --shapes many`); the two give the same bits. -#}
{% macro marts_sorted_values(expr) -%}
    {{ return(adapter.dispatch('marts_sorted_values', 'funnel_warehouse')(expr)) }}
{%- endmacro %}

{% macro duckdb__marts_sorted_values(expr) -%}
    list(cast({{ expr }} as double) order by cast({{ expr }} as double)) filter (where {{ expr }} is not null)
{%- endmacro %}

{% macro spark__marts_sorted_values(expr) -%}
    sort_array(collect_list(cast({{ expr }} as double)))
{%- endmacro %}

{% macro marts_percentile_of_sorted(sorted_values, p) -%}
    {%- set count = marts_list_length(sorted_values) -%}
    {%- set position = '(' ~ count ~ ' - 1) * ' ~ p -%}
    {%- set below = marts_list_item_at(sorted_values, 'cast(floor(' ~ position ~ ') as bigint)') -%}
    {%- set above = marts_list_item_at(sorted_values, 'cast(ceil(' ~ position ~ ') as bigint)') -%}
    case when coalesce({{ count }}, 0) > 0
        then {{ below }} + ({{ position }} - floor({{ position }})) * ({{ above }} - {{ below }})
    end
{%- endmacro %}

{% macro marts_list_length(list_expr) -%}
    {{ return(adapter.dispatch('marts_list_length', 'funnel_warehouse')(list_expr)) }}
{%- endmacro %}

{% macro duckdb__marts_list_length(list_expr) -%}
    len({{ list_expr }})
{%- endmacro %}

{% macro spark__marts_list_length(list_expr) -%}
    size({{ list_expr }})
{%- endmacro %}

{#- The item of a list at a 0-based position given by an expression. -#}
{% macro marts_list_item_at(list_expr, position_expr) -%}
    {{ return(adapter.dispatch('marts_list_item_at', 'funnel_warehouse')(list_expr, position_expr)) }}
{%- endmacro %}

{% macro duckdb__marts_list_item_at(list_expr, position_expr) -%}
    list_extract({{ list_expr }}, {{ position_expr }} + 1)
{%- endmacro %}

{% macro spark__marts_list_item_at(list_expr, position_expr) -%}
    element_at({{ list_expr }}, cast({{ position_expr }} as int) + 1)
{%- endmacro %}


{#- Several exact percentiles of one expression as a list, computed from one sort of the group's
    values (two marts_percentile aggregates each keep and sort their own copy); take each with
    marts_list_item_at(list, i), i counted from 0. -#}
{% macro marts_percentiles(expr, ps) -%}
    {{ return(adapter.dispatch('marts_percentiles', 'funnel_warehouse')(expr, ps)) }}
{%- endmacro %}

{% macro duckdb__marts_percentiles(expr, ps) -%}
    quantile_cont(cast({{ expr }} as double), [{{ ps | join(', ') }}])
{%- endmacro %}

{% macro spark__marts_percentiles(expr, ps) -%}
    percentile(cast({{ expr }} as double), array({{ ps | join(', ') }}))
{%- endmacro %}
