{#- The pinned "now", a 'YYYY-MM-DD HH:MM:SS' UTC literal, or none: var('as_of_timestamp') (dbt
    --vars; an empty string unpins) when set, else FUNNEL_AS_OF (what `funnel` and Dagster pass). The environment is read
    only when executing: read while parsing, dbt would record it and re-parse every model that calls
    this whenever FUNNEL_AS_OF changes (and, read in dbt_project.yml, re-parse the whole project). -#}
{% macro pinned_as_of_timestamp() -%}
    {%- set pinned = var('as_of_timestamp', none) -%}
    {%- if pinned is none -%}
        {%- set pinned = env_var('FUNNEL_AS_OF', '') if execute else '' -%}
    {%- endif -%}
    {{- return(pinned or none) -}}
{%- endmacro %}


{#- The instant "now" for open spells and ages: the pinned as-of (pinned_as_of_timestamp) when set,
    so results are reproducible; else the engine's current timestamp. -#}
{% macro as_of_timestamp() -%}
    {%- set as_of = pinned_as_of_timestamp() -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as timestamp)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as timestamp)
    {%- endif -%}
{%- endmacro %}
