{#- Rows of a combination of columns that occurs more than once (the grain test of a model
    whose key spans several columns). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as occurrences
from {{ model }}
group by
    {{ combination_of_columns | join(',\n    ') }}
having count(*) > 1
{% endtest %}
