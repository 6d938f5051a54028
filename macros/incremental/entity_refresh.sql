{#- Incremental tables keyed by entity (a person's or a deal's snapshot versions): a refresh
    recomputes every entity with a raw row loaded after this table's newest loaded_at, from all
    of that entity's raw rows, so a late export renumbers the versions exactly as a full build
    would. DuckDB deletes and re-inserts those entities (delete+insert on the entity key); Spark
    overwrites the entity_bucket partitions holding them (insert_overwrite), each bucket rebuilt
    whole: the first hex digit of md5(key), the same on both engines. -#}

{% macro entity_refresh_unique_key(key_columns) -%}
    {{ return(none if target.type == 'spark' else key_columns) }}
{%- endmacro %}

{% macro entity_refresh_partition_by() -%}
    {{ return(['entity_bucket'] if target.type == 'spark' else none) }}
{%- endmacro %}

{% macro entity_bucket(key_columns) -%}
    substr(md5({{ record_key_text(key_columns) }}), 1, 1)
{%- endmacro %}

{#- A where clause for `relation` (a CTE with the key columns and loaded_at): in a refresh, the
    rows of the entities (DuckDB) or entity buckets (Spark) that have a row loaded since the
    last build; nothing in a full build. -#}
{% macro entity_refresh_filter(relation, key_columns) -%}
    {%- if is_incremental() -%}
    {%- set selector = entity_bucket(key_columns) if target.type == 'spark' else record_key_text(key_columns) -%}
    where {{ selector }} in (
        select {{ selector }}
        from {{ relation }}
        where loaded_at > {{ month_refresh_watermark() }}
    )
    {%- endif -%}
{%- endmacro %}
