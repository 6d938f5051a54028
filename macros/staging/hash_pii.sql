{#- Personal data (email, phone, name) -> sha256 hex of salt || lower(trim(value)); null or
    empty stays null. Only these hashes leave staging, never the clear text. -#}
{% macro hash_pii(expr) -%}
    {%- set text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    case when coalesce({{ text }}, '') = '' then null else {{ sha256_hex(dbt.concat([pii_salt(), "lower(" ~ text ~ ")"])) }} end
{%- endmacro %}

{#- The salt is a secret (FUNNEL_PII_SALT): it is read by the engine at run time and never
    rendered into SQL, so it reaches no compiled file, manifest or log. A build whose salt never
    got set fails on the first value it hashes. var pii_salt is for dbt unit tests only: a test
    value, rendered as a literal. -#}
{% macro pii_salt() -%}
    {%- set test_salt = var('pii_salt', none) -%}
    {%- if test_salt is not none -%}
        '{{ test_salt | replace("'", "''") }}'
    {%- else -%}
        {{ pii_salt_at_run_time() }}
    {%- endif -%}
{%- endmacro %}

{% macro pii_salt_at_run_time() -%}
    {{ return(adapter.dispatch('pii_salt_at_run_time', 'funnel_warehouse')()) }}
{%- endmacro %}

{#- DuckDB: a connection variable that orchestration/dbt_duckdb_salt.py (a dbt-duckdb plugin,
    profiles.yml) sets on every connection from DBT_ENV_SECRET_FUNNEL_PII_SALT. -#}
{#- Typed as text, or DuckDB folds an unset (NULL-typed) variable || value to null without
    raising the error. -#}
{% macro default__pii_salt_at_run_time() -%}
    {%- set salt = "cast(getvariable('funnel_pii_salt') as " ~ dbt.type_string() ~ ")" -%}
    cast(case when coalesce({{ salt }}, '') = ''
        then error('{{ pii_salt_missing_message() }}')
        else {{ salt }} end as {{ dbt.type_string() }})
{%- endmacro %}

{#- Spark: a session conf (profiles.yml server_side_parameters, from the same environment
    variable) that Spark substitutes into the statement when it parses it (unset, it becomes '').
    It holds the salt's UTF-8 bytes in hex: any salt then fits in the SQL literal, and Spark never
    redacts it (Spark substitutes "*********(redacted)" for a value containing "secret", "token"
    or "password", which would silently change the hashes). -#}
{% macro spark__pii_salt_at_run_time() -%}
    coalesce(nullif(decode(unhex('${spark.funnel.pii_salt_hex}'), 'UTF-8'), ''), raise_error('{{ pii_salt_missing_message() }}'))
{%- endmacro %}

{% macro pii_salt_missing_message() -%}
    FUNNEL_PII_SALT did not reach dbt (DBT_ENV_SECRET_FUNNEL_PII_SALT is unset): run through funnel, or set it
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
