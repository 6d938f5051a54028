{#- Seconds since 1970-01-01 UTC of a timestamp, as a double, on every engine. Durations are
    differences of these divided by 86400.0 (never a sub-day dbt.datediff: Spark rounds those up). -#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'funnel_warehouse')(ts)) }}
{%- endmacro %}

{% macro duckdb__epoch_seconds(ts) -%}
    cast(epoch(cast({{ ts }} as timestamp)) as double)
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    cast(unix_timestamp(cast({{ ts }} as timestamp)) as double)
{%- endmacro %}
