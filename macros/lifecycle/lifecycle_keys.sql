{#- The warehouse key of an entity: `<source_system>:<id>`, null when the id is null. -#}
{% macro entity_key(source_system, id_expr) -%}
    case when {{ id_expr }} is null then null else {{ dbt.concat([source_system, "':'", id_expr]) }} end
{%- endmacro %}


{#- Direction of a stage change (see docs/lifecycle.md): from an exit = reopen; into an exit =
    forward; next stage in order = forward; further = skip; earlier = backward. Orders are the
    dense positions of the stages (1, 2, 3 ... ) among the entity type's ordered stages. -#}
{% macro transition_direction(from_is_exit, to_is_exit, from_position, to_position) -%}
    case
        when {{ from_is_exit }} then 'reopen'
        when {{ to_is_exit }} then 'forward'
        when {{ to_position }} = {{ from_position }} + 1 then 'forward'
        when {{ to_position }} > {{ from_position }} + 1 then 'skip'
        else 'backward'
    end
{%- endmacro %}
