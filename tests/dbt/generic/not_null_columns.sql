{#- The columns of `column_names` that hold a null, one row each with its count of null rows: the
    not-null tests of a model in one scan. dbt runs each test as its own node (compile, query,
    result), and per-column not_null tests were three quarters of every build's nodes. -#}
{% test not_null_columns(model, column_names) %}
with

null_counts as (

    select
        {%- for column in column_names %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

by_column as (

    {%- for column in column_names %}
    select '{{ column }}' as column_name, null_rows_{{ loop.index }} as null_rows from null_counts
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

)

select
    column_name,
    null_rows
from by_column
where null_rows > 0
{% endtest %}
