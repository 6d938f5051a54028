{#- A label reduced to its letters and digits, lower case ("Existing Business - Upgrade" ->
    "existingbusinessupgrade"): the matching key of the lead source and deal type seeds and of the
    mapping files' channel_labels. Letters and digits of every script count ("广告", "Реклама"), so
    a label written in Chinese or Cyrillic keeps a key. Spark's parser unescapes backslashes in
    string literals, DuckDB's does not. -#}
{% macro alnum_key(expr) -%}
    {{ return(adapter.dispatch('alnum_key', 'funnel_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__alnum_key(expr) -%}
    nullif(regexp_replace(lower(cast({{ expr }} as {{ dbt.type_string() }})), '[^\p{L}\p{N}]', '', 'g'), '')
{%- endmacro %}

{% macro spark__alnum_key(expr) -%}
    nullif(regexp_replace(lower(cast({{ expr }} as {{ dbt.type_string() }})), '[^\\p{L}\\p{N}]', ''), '')
{%- endmacro %}


{#- One output row per element of a `separator`-separated list (used in a select list, alone
    with plain columns): DuckDB unnest(string_split()), Spark explode(split()). -#}
{% macro split_to_rows(expr, separator) -%}
    {{ return(adapter.dispatch('split_to_rows', 'funnel_warehouse')(expr, separator)) }}
{%- endmacro %}

{% macro default__split_to_rows(expr, separator) -%}
    unnest(string_split({{ expr }}, '{{ separator }}'))
{%- endmacro %}

{% macro spark__split_to_rows(expr, separator) -%}
    explode(split({{ expr }}, '{{ separator }}'))
{%- endmacro %}


{#- A top-level field of a JSON object text as text (null when absent): DuckDB
    json_extract_string, Spark get_json_object. -#}
{% macro json_field_text(expr, field) -%}
    {{ return(adapter.dispatch('json_field_text', 'funnel_warehouse')(expr, field)) }}
{%- endmacro %}

{% macro default__json_field_text(expr, field) -%}
    json_extract_string({{ expr }}, '$.{{ field }}')
{%- endmacro %}

{% macro spark__json_field_text(expr, field) -%}
    get_json_object({{ expr }}, '$.{{ field }}')
{%- endmacro %}
