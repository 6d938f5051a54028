{#- Personal data (email, phone, name) -> sha256 hex of salt || lower(trim(value)); null or
    empty stays null. The salt comes from FUNNEL_PII_SALT (var pii_salt overrides it, for
    unit tests). Only these hashes leave staging, never the clear text. -#}
{% macro hash_pii(expr) -%}
    {%- set text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    case when coalesce({{ text }}, '') = '' then null else {{ sha256_hex(dbt.concat([pii_salt_literal(), "lower(" ~ text ~ ")"])) }} end
{%- endmacro %}

{% macro pii_salt_literal() -%}
    {%- set salt = var('pii_salt', env_var('FUNNEL_PII_SALT', 'funnel-dev-salt')) -%}
    {%- if '\\' in salt -%}
        {{ exceptions.raise_compiler_error("FUNNEL_PII_SALT must not contain a backslash (engines read it differently in SQL literals)") }}
    {%- endif -%}
    '{{ salt | replace("'", "''") }}'
{%- endmacro %}

{#- Lower-case hex sha256 of a string expression: the same digest on every engine. -#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'funnel_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}
