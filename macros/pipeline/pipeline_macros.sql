{#- Shared helpers of the pipeline, performance and planning marts (all engine-portable). -#}

{#- A date plus n days (n an integer expression), as a date, on every engine. -#}
{% macro pipeline_add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}


{#- The reporting date (business time zone) of a UTC timestamp. -#}
{% macro pipeline_business_date(ts) -%}
    cast({{ to_business_time(ts) }} as date)
{%- endmacro %}


{#- The segment cuts of the pipeline marts (semantics: owner, manager, team / region, channel,
    product, customer segment, pipeline, deal type), plus 'all'. var('pipeline_segment_types')
    keeps only the listed cuts ('all' always stays): a lever on mart size, and what lets a unit
    test look at one cut. -#}
{% macro pipeline_segments() -%}
    {%- set wanted = var('pipeline_segment_types', none) -%}
    {%- set segments = [
        {'type': 'owner', 'column': 'owner_key'},
        {'type': 'manager', 'column': 'manager_key'},
        {'type': 'team', 'column': 'team'},
        {'type': 'region', 'column': 'region'},
        {'type': 'channel', 'column': 'channel'},
        {'type': 'product', 'column': 'product'},
        {'type': 'customer_segment', 'column': 'customer_segment'},
        {'type': 'pipeline', 'column': 'pipeline'},
        {'type': 'deal_type', 'column': 'deal_type'},
    ] -%}
    {%- if wanted is none -%}
        {{ return(segments) }}
    {%- endif -%}
    {{ return(segments | selectattr('type', 'in', wanted) | list) }}
{%- endmacro %}


{#- Long format: every row of `relation` once per segment cut (segment_type, segment_value),
    plus the 'all' cut; a missing value is 'unknown'. `columns` are carried through.
    One cross join with the list of cuts rather than a union of one select per cut: Spark inlines
    CTEs, so a union made it compute `relation` (and every join behind it) once per cut. -#}
{% macro pipeline_segment_rows(relation, columns, segments=none) -%}
    {%- set segments = segments if segments is not none else pipeline_segments() -%}
    select
        segment_cuts.segment_type,
        case segment_cuts.segment_type
            when 'all' then 'all'
            {%- for segment in segments %}
            when '{{ segment.type }}' then coalesce(cast({{ relation }}.{{ segment.column }} as {{ dbt.type_string() }}), 'unknown')
            {%- endfor %}
        end as segment_value,
        {%- for column in columns %}
        {{ relation }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    cross join (
        select 'all' as segment_type
        {%- for segment in segments %}
        union all
        select '{{ segment.type }}' as segment_type
        {%- endfor %}
    ) as segment_cuts
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
