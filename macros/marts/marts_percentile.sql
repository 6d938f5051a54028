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
