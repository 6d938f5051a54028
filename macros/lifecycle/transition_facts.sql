{#- The mart of stage changes (fct_person_transitions, fct_deal_transitions): one row per stage
    change of int_*_transitions with the stage orders of both ends and the entity's segments from
    its dimension. Ends in a CTE `final`. `dim_columns` are the dimension's segment columns carried
    through, in order. -#}
{% macro transition_facts(transitions, dims, stage_definitions, entity_key, entity_type, dim_columns) -%}

    final as (

        select
            {{ dbt.concat([transitions ~ "." ~ entity_key, "':'", "cast(" ~ transitions ~ ".transition_number as " ~ dbt.type_string() ~ ")"]) }} as transition_key,
            {{ transitions }}.{{ entity_key }},
            {{ transitions }}.source_system,
            {{ transitions }}.pipeline,
            {{ transitions }}.transition_number,
            {{ transitions }}.from_stage,
            from_definitions.stage_order as from_stage_order,
            {{ transitions }}.to_stage,
            to_definitions.stage_order as to_stage_order,
            {{ transitions }}.transitioned_at,
            cast({{ to_business_time(transitions ~ '.transitioned_at') }} as date) as transitioned_day,
            {{ transitions }}.evidence,
            {{ transitions }}.direction,
            {{ transitions }}.entry_number,
            {%- for column in dim_columns %}
            {{ dims }}.{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ transitions }}
        left join {{ dims }}
            on {{ transitions }}.{{ entity_key }} = {{ dims }}.{{ entity_key }}
        left join {{ stage_definitions }} as from_definitions
            on from_definitions.entity_type = '{{ entity_type }}'
            and {{ transitions }}.from_stage = from_definitions.stage
        left join {{ stage_definitions }} as to_definitions
            on to_definitions.entity_type = '{{ entity_type }}'
            and {{ transitions }}.to_stage = to_definitions.stage

    )

{%- endmacro %}
