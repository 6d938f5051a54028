{#- The segment cuts (docs/metrics.md), defined once: segment_type,
    the column of an entity-level relation that holds its value, and the entity types it applies to
    (product and deal type only exist for deals). many_values: the cut's values grow with the company
    (one per rep), so its groups do too; the cohort funnel computes their percentiles by sorting
    (int_funnel_cohort_stage_counts). -#}
{% macro segment_definitions() -%}
    {{ return([
        {'type': 'owner', 'column': 'owner_key', 'many_values': true},
        {'type': 'manager', 'column': 'manager_key', 'many_values': true},
        {'type': 'team', 'column': 'team'},
        {'type': 'region', 'column': 'region'},
        {'type': 'channel', 'column': 'channel'},
        {'type': 'product', 'column': 'product', 'entity_types': ['deal']},
        {'type': 'customer_segment', 'column': 'customer_segment'},
        {'type': 'deal_type', 'column': 'deal_type', 'entity_types': ['deal']},
        {'type': 'pipeline', 'column': 'pipeline'},
    ]) }}
{%- endmacro %}


{#- The cuts of the funnel marts: var('funnel_segment_types') keeps only the listed ones ('all' is
    always there), a lever on mart size at scale and what lets a unit test look at one cut. -#}
{% macro marts_funnel_segments() -%}
    {{ return(selected_segments(var('funnel_segment_types', none))) }}
{%- endmacro %}


{#- The cuts of the pipeline, performance and planning marts: var('pipeline_segment_types'), the
    same lever. -#}
{% macro pipeline_segments() -%}
    {{ return(selected_segments(var('pipeline_segment_types', none))) }}
{%- endmacro %}


{% macro selected_segments(wanted) -%}
    {%- set segments = segment_definitions() -%}
    {%- if wanted is none -%}
        {{ return(segments) }}
    {%- endif -%}
    {{ return(segments | selectattr('type', 'in', wanted) | list) }}
{%- endmacro %}


{#- Long format: every row of `relation` once per segment cut (segment_type, segment_value), plus
    the 'all' cut; a missing value is 'unknown' (the entity stays in the cut's total). `columns` are
    carried through.
    - Without `by_entity_type`: one cross join with the list of cuts. Spark inlines CTEs, so a union
      of one select per cut made it compute `relation` (and every join behind it) once per cut.
    - With `by_entity_type` (`relation` has an entity_type column, persons and deals): a cut that
      applies to some entity types only (persons have no product) is not emitted for the others. On
      DuckDB one select per cut keeps that filter before the rows multiply (at 100k leads
      fct_funnel_period took 2.9 s this way against 3.2 s with the cross join and a filter after
      it); DuckDB reads a CTE `relation` once. On Spark, which inlines CTEs, the cross join with the
      cuts' entity types and a filter after it, so `relation` is computed once. -#}
{% macro segment_rows(relation, columns, segments, by_entity_type=false) -%}
    {%- if by_entity_type and target.type != 'spark' %}
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
    {%- else %}
    select
        segment_cuts.segment_type,
        {{ segment_value_of('segment_cuts.segment_type', segments, relation) }} as segment_value,
        {%- for column in columns %}
        {{ relation }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    cross join (
        select 'all' as segment_type, cast(null as {{ dbt.type_string() }}) as entity_type
        {%- for segment in segments %}
        {%- for entity_type in (segment.entity_types if by_entity_type and segment.entity_types is defined else [none]) %}
        union all
        select '{{ segment.type }}' as segment_type, {{ "'" ~ entity_type ~ "'" if entity_type else 'null' }} as entity_type
        {%- endfor %}
        {%- endfor %}
    ) as segment_cuts
    {%- if by_entity_type %}
    where segment_cuts.entity_type is null or segment_cuts.entity_type = {{ relation }}.entity_type
    {%- endif %}
    {%- endif %}
{%- endmacro %}


{#- Long format of the funnel marts' cuts (marts_funnel_segments). -#}
{% macro marts_segment_rows(relation, columns, segments=none) -%}
    {{ segment_rows(relation, columns, segments if segments is not none else marts_funnel_segments(), by_entity_type=true) }}
{%- endmacro %}


{#- Long format of the pipeline marts' cuts (pipeline_segments). -#}
{% macro pipeline_segment_rows(relation, columns, segments=none) -%}
    {{ segment_rows(relation, columns, segments if segments is not none else pipeline_segments()) }}
{%- endmacro %}


{#- The value of a segment cut as an expression, for rows that carry their cut in `segment_type_column`
    (one row per cut): 'all' for the all cut, else the cut's column as text, 'unknown' when missing. -#}
{% macro segment_value_of(segment_type_column, segments, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    case {{ segment_type_column }}
        when 'all' then 'all'
        {%- for segment in segments %}
        when '{{ segment.type }}' then coalesce(cast({{ prefix }}{{ segment.column }} as {{ dbt.type_string() }}), 'unknown')
        {%- endfor %}
    end
{%- endmacro %}
