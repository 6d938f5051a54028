{#- Free text: trimmed, empty string -> null. Case and inner spacing are kept. -#}
{% macro clean_text(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '')
{%- endmacro %}
