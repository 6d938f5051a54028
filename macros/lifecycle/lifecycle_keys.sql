{#- The warehouse key of an entity: `<source_system>:<id>`, null when the id is null. -#}
{% macro entity_key(source_system, id_expr) -%}
    case when {{ id_expr }} is null then null else {{ dbt.concat([source_system, "':'", id_expr]) }} end
{%- endmacro %}
