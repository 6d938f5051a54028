{#- The matching key of a stage label (or any label): lower case, trimmed, inner runs of
    whitespace collapsed to one space; empty -> null. "  Closed   WON " -> "closed won". -#}
{% macro normalize_label(expr) -%}
    nullif(trim(lower({{ collapse_whitespace(expr) }})), '')
{%- endmacro %}

{#- Replace every run of whitespace by one space. The regex literal differs: Spark's SQL
    parser unescapes backslashes in string literals, DuckDB's does not. -#}
{% macro collapse_whitespace(expr) -%}
    {{ return(adapter.dispatch('collapse_whitespace', 'funnel_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__collapse_whitespace(expr) -%}
    regexp_replace(cast({{ expr }} as {{ dbt.type_string() }}), '\s+', ' ', 'g')
{%- endmacro %}

{% macro spark__collapse_whitespace(expr) -%}
    regexp_replace(cast({{ expr }} as {{ dbt.type_string() }}), '\\s+', ' ')
{%- endmacro %}
