{#- Shared helpers of the pipeline, performance and planning marts (all engine-portable). -#}

{#- A date plus n days (n an integer expression), as a date, on every engine. -#}
{% macro pipeline_add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}


{#- The reporting date (business time zone) of a UTC timestamp. -#}
{% macro pipeline_business_date(ts) -%}
    cast({{ to_business_time(ts) }} as date)
{%- endmacro %}



{#- Every day from var('pipeline_spine_start') to var('pipeline_spine_end') (literal bounds, so the
    spine compiles without querying the warehouse); models filter it to the data's own range. -#}
{% macro pipeline_day_spine() -%}
    select cast(date_day as date) as day
    from (
        {{ dbt.date_spine(
            'day',
            "cast('" ~ var('pipeline_spine_start', '2015-01-01') ~ "' as date)",
            "cast('" ~ var('pipeline_spine_end', '2035-12-31') ~ "' as date)"
        ) }}
    ) as spine
{%- endmacro %}


{#- Every month start between the same literal bounds (a few hundred rows: the month-end snapshot
    points and the velocity windows need no day spine). -#}
{% macro pipeline_month_spine() -%}
    select cast(date_month as date) as month_start
    from (
        {{ dbt.date_spine(
            'month',
            "cast('" ~ var('pipeline_spine_start', '2015-01-01') ~ "' as date)",
            "cast('" ~ var('pipeline_spine_end', '2035-12-31') ~ "' as date)"
        ) }}
    ) as spine
{%- endmacro %}


{#- The two joins that give each row its segment's own rate, else its source's 'all' rate (the
    forecasts' fallback, docs/metrics.md): `rates` (int_stage_open_win_rates)
    joined to `rows` on the rate date, source, pipeline and stage as `own` (same segment cut) and as
    `overall` (segment_type 'all'); select coalesce(own.<rate>, overall.<rate>). -#}
{% macro segment_rate_joins(rows, rates, own, overall, point_date, pipeline, stage) -%}
    left join {{ rates }} as {{ own }}
        on {{ rows }}.{{ point_date }} = {{ own }}.point_date
        and {{ rows }}.source_system = {{ own }}.source_system
        and {{ rows }}.{{ pipeline }} = {{ own }}.pipeline
        and {{ rows }}.{{ stage }} = {{ own }}.stage
        and {{ rows }}.segment_type = {{ own }}.segment_type
        and {{ rows }}.segment_value = {{ own }}.segment_value
    left join {{ rates }} as {{ overall }}
        on {{ rows }}.{{ point_date }} = {{ overall }}.point_date
        and {{ rows }}.source_system = {{ overall }}.source_system
        and {{ rows }}.{{ pipeline }} = {{ overall }}.pipeline
        and {{ rows }}.{{ stage }} = {{ overall }}.stage
        and {{ overall }}.segment_type = 'all'
{%- endmacro %}
