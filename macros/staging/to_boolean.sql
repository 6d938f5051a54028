{#- Boolean spellings of CRM exports (1/0, true/false, t/f, yes/no, y/n, any case) -> boolean.
    Anything else, including empty, is null. -#}
{% macro to_boolean(expr) -%}
    {%- set text = "lower(trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ ")))" -%}
    case when {{ text }} in ('1', 'true', 't', 'yes', 'y') then true when {{ text }} in ('0', 'false', 'f', 'no', 'n') then false end
{%- endmacro %}
