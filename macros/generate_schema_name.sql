{#- Use the configured schema as is (staging, marts, ...) rather than dbt's default
    <target_schema>_<schema>, so BI tools and the published copy see stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
