{#- Data-quality flags of staged records: implausible but real values that load (the loader
    quarantines only what cannot be represented) and are counted in fct_data_quality_flags. -#}

{#- The close day (actual, or expected while open) precedes the created day: imported history,
    or an open deal whose expected close had passed when it was entered. Null inputs: false. -#}
{% macro is_close_before_created(close_date, created_at) -%}
    coalesce(cast({{ close_date }} as date) < cast({{ created_at }} as date), false)
{%- endmacro %}

{#- A past event (created, occurred) more than a day after the row was loaded: a skewed clock
    or a local time read as UTC (a day covers any timezone). The loader quarantines values more
    than a week ahead, so a flagged value is at most a week ahead. Null inputs: false. -#}
{% macro has_future_timestamp(ts, loaded_at='loaded_at') -%}
    coalesce({{ epoch_seconds(ts) }} > {{ epoch_seconds(loaded_at) }} + 86400, false)
{%- endmacro %}
