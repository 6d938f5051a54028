{#- The segment cuts every funnel mart shows (semantics: "Segments everywhere a funnel is shown"):
    segment_type -> the column of the entity-level relation that holds its value, and the entity
    types it applies to (product and deal type only exist for deals). -#}
{% macro marts_funnel_segments() -%}
    {%- set wanted = var('funnel_segment_types', none) -%}
    {%- set segments = [
        {'type': 'owner', 'column': 'owner_key', 'many_values': true},
        {'type': 'manager', 'column': 'manager_key', 'many_values': true},
        {'type': 'team', 'column': 'team'},
        {'type': 'region', 'column': 'region'},
        {'type': 'channel', 'column': 'channel'},
        {'type': 'product', 'column': 'product', 'entity_types': ['deal']},
        {'type': 'customer_segment', 'column': 'customer_segment'},
        {'type': 'deal_type', 'column': 'deal_type', 'entity_types': ['deal']},
        {'type': 'pipeline', 'column': 'pipeline'},
    ] -%}
    {#- many_values: the cut's values grow with the company (one per rep), so its groups do too;
        the cohort funnel computes their percentiles by sorting (marts_cohort_cut).
        var('funnel_segment_types') keeps only the listed cuts ('all' is always there): a lever on
        mart size at scale, and what lets a unit test look at one cut. -#}
    {%- if wanted is none -%}
        {{ return(segments) }}
    {%- endif -%}
    {{ return(segments | selectattr('type', 'in', wanted) | list) }}
{%- endmacro %}


{#- Long format of the segment cuts: one select per segment (union all), each row of `relation`
    repeated once per segment as (segment_type, segment_value), plus the 'all' cut. A missing value
    becomes 'unknown' (the entity stays in the cut's total); a segment that does not apply to an
    entity type (persons have no product) is not emitted for it. `columns` are carried through. -#}
{% macro marts_segment_rows(relation, columns, segments=none) -%}
    {%- set segments = segments if segments is not none else marts_funnel_segments() -%}
    select
        'all' as segment_type,
        'all' as segment_value,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {%- for segment in segments %}

    union all

    select
        '{{ segment.type }}' as segment_type,
        {{ marts_segment_value(segment) }} as segment_value,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {{- marts_segment_where(segment) }}
    {%- endfor %}
{%- endmacro %}


{#- A segment's value as text: 'unknown' when missing (the entity stays in the cut's total). -#}
{% macro marts_segment_value(segment) -%}
    coalesce(cast({{ segment.column }} as {{ dbt.type_string() }}), 'unknown')
{%- endmacro %}


{#- The where clause that keeps the entity types a segment applies to (empty when it applies to all). -#}
{% macro marts_segment_where(segment) -%}
    {%- if segment.entity_types is defined %}
    where entity_type in ('{{ segment.entity_types | join("', '") }}')
    {%- endif %}
{%- endmacro %}


{#- The period grains of the cohort and period funnels (semantics: day, week, month, quarter). -#}
{% macro marts_period_grains() -%}
    {{ return(var('funnel_period_grains', ['day', 'week', 'month', 'quarter'])) }}
{%- endmacro %}


{#- One copy of each row of `relation` per period grain, with period_grain and period_start (the
    start of the period, as a date, of the UTC timestamp `ts_column` read in business time; or of
    `ts_column` as it is when it already holds a business-calendar date: business_date=true). -#}
{% macro marts_period_rows(relation, ts_column, columns, business_date=false) -%}
    {%- set local = ts_column if business_date else to_business_time(ts_column) -%}
    {%- for grain in marts_period_grains() %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        '{{ grain }}' as period_grain,
        cast({{ dbt.date_trunc(grain, local) }} as date) as period_start,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {%- endfor %}
{%- endmacro %}
