{#- "First Last" from name parts (either may be null), falling back to a full-name column; fed to
    hash_pii (a person's name) or owner_name (a rep's), so names compare across sources. -#}
{% macro full_name(first_name, last_name, fallback=none) -%}
    {%- set parts = "nullif(trim(concat_ws(' ', " ~ clean_text(first_name) ~ ", " ~ clean_text(last_name) ~ ")), '')" -%}
    {%- if fallback -%}
        coalesce({{ parts }}, {{ clean_text(fallback) }})
    {%- else -%}
        {{ parts }}
    {%- endif -%}
{%- endmacro %}
