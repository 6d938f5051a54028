{#- Days between two timestamps as a double: epoch seconds / 86400.0, never a sub-day dbt.datediff
    (Spark rounds those up). Negative when end_ts is earlier. -#}
{% macro days_between(start_ts, end_ts) -%}
    (({{ epoch_seconds(end_ts) }} - {{ epoch_seconds(start_ts) }}) / 86400.0)
{%- endmacro %}
