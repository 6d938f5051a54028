{#- A sales rep's display name. Reps are the company's own staff in its own CRM, not the customers
    whose personal data hash_pii protects, so their names stay readable by default: a manager must
    see who the reps are. A team that wants them hashed sets hash_owner_names; the name then holds
    hash_pii of it (same salt, same digest as name_hash) and never the clear text. -#}
{% macro owner_name(expr) -%}
    {%- if hash_owner_names() -%}
        {{ hash_pii(expr) }}
    {%- else -%}
        {{ clean_text(expr) }}
    {%- endif -%}
{%- endmacro %}

{#- var('hash_owner_names') when set (dbt --vars), else FUNNEL_HASH_OWNER_NAMES (what `funnel` and
    Dagster pass). The environment is read only when executing, like FUNNEL_AS_OF: read while
    parsing, dbt would record it and re-parse whenever it changes. -#}
{% macro hash_owner_names() -%}
    {%- set chosen = var('hash_owner_names', none) -%}
    {%- if chosen is none -%}
        {%- set chosen = env_var('FUNNEL_HASH_OWNER_NAMES', '') if execute else '' -%}
    {%- endif -%}
    {{- return(chosen | string | trim | lower in ['1', 'true', 'yes', 'on']) -}}
{%- endmacro %}
