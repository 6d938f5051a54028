{#- The incremental strategy of every incremental model: DuckDB deletes and re-inserts the
    recomputed rows (delete+insert on the model's unique_key), Spark overwrites the partitions
    that hold them (insert_overwrite on the model's partition_by). Months or entity buckets: see
    month_refresh.sql and entity_refresh.sql. -#}
{% macro refresh_strategy() -%}
    {{ return('insert_overwrite' if target.type == 'spark' else 'delete+insert') }}
{%- endmacro %}
