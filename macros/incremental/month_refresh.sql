{#- Incremental staging of event-like raw tables (touches, email events, field histories) by
    calendar month of the event, UTC. A refresh rewrites whole months: every month holding a raw
    row loaded after this table's newest loaded_at, and every month where a record of such a row
    sat before (an updated record can move month). A rewritten month is rebuilt from all raw
    versions of every record seen in it, so late-arriving history and re-exported records give
    exactly what a full build gives. DuckDB deletes and re-inserts the rewritten records
    (delete+insert on the record key, so a record that moved month leaves no stale row), Spark
    overwrites the month partitions (insert_overwrite). -#}

{#- DuckDB replaces records (unique_key), Spark replaces month partitions (partition_by). -#}
{% macro month_refresh_unique_key(staged_keys) -%}
    {{ return(none if target.type == 'spark' else staged_keys) }}
{%- endmacro %}

{% macro month_refresh_partition_by(month_column) -%}
    {{ return([month_column] if target.type == 'spark' else none) }}
{%- endmacro %}

{#- First day of the event's month; events without a time share one early month. -#}
{% macro event_month(ts) -%}
    coalesce(cast({{ dbt.date_trunc('month', ts) }} as date), cast('1900-01-01' as date))
{%- endmacro %}

{#- A record's key as one text value (a null part as empty text, so it still matches). -#}
{% macro record_key_text(key_columns) -%}
    {%- set parts = [] -%}
    {%- for column in key_columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- The newest load this table holds (its rows carry the raw _loaded_at as loaded_at). -#}
{% macro month_refresh_watermark() -%}
    (select coalesce(max(loaded_at), cast('1900-01-01 00:00:00' as timestamp)) from {{ this }})
{%- endmacro %}

{#- The months a refresh rewrites (a subquery of one column). -#}
{% macro month_refresh_months(relation, raw_keys, raw_event_at, staged_keys, month_column) -%}
    select {{ event_month(raw_event_at) }} as refresh_month
    from {{ relation }}
    where _loaded_at > {{ month_refresh_watermark() }}

    union

    select {{ month_column }} as refresh_month
    from {{ this }}
    where {{ record_key_text(staged_keys) }} in (
        select {{ record_key_text(raw_keys) }}
        from {{ relation }}
        where _loaded_at > {{ month_refresh_watermark() }}
    )
{%- endmacro %}

{#- The raw rows a model reads: all of them in a full build; in a refresh, every version of
    every record that has a version in a rewritten month. -#}
{% macro month_refresh_source(relation, raw_keys, raw_event_at, staged_keys, month_column='event_month') -%}
    select *
    from {{ relation }}
    {%- if is_incremental() %}
    where {{ record_key_text(raw_keys) }} in (
        select {{ record_key_text(raw_keys) }}
        from {{ relation }}
        where {{ event_month(raw_event_at) }} in (
            {{ month_refresh_months(relation, raw_keys, raw_event_at, staged_keys, month_column) }}
        )
    )
    {%- endif %}
{%- endmacro %}

{#- The rows a model writes: in a refresh, those of the rewritten months only (a record read
    because of another month keeps its stored row). -#}
{% macro month_refresh_filter(relation, raw_keys, raw_event_at, staged_keys, month_column='event_month') -%}
    {%- if is_incremental() -%}
    where {{ month_column }} in (
        {{ month_refresh_months(relation, raw_keys, raw_event_at, staged_keys, month_column) }}
    )
    {%- endif -%}
{%- endmacro %}
