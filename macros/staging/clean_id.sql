{#- An id as text: trimmed, empty -> null, and the all-zero Salesforce id that exports write
    for an empty lookup (000000000000000, 000000000000000AAA) -> null. -#}
{% macro clean_id(expr) -%}
    {%- set text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    case when upper({{ text }}) in ('', '000000000000000', '000000000000000AAA', '000000000000000000') then null else {{ text }} end
{%- endmacro %}
