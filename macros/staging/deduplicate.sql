{#- The latest version of each record of a raw relation: one row per partition_by key.
    Versions are ordered by the record's own modified time(s) (newest first, unknown last),
    then by the export they came from: _exported_at, _file_hash, _row_number, all descending.
    Load order (_loaded_at, _run_id) never decides, so loading files in another order gives
    the same result. Adds _version_rank, which the caller's explicit column list drops.
    partition_by and modified_at: lists of column expressions. -#}
{% macro deduplicate(relation, partition_by, modified_at=[]) -%}
    {%- set modified = [modified_at] if modified_at is string else modified_at -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ partition_by | join(', ') }}
                order by
                    {%- for column in modified %}
                    {{ column }} desc nulls last,
                    {%- endfor %}
                    _exported_at desc nulls last,
                    _file_hash desc nulls last,
                    _row_number desc nulls last
            ) as _version_rank
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}
