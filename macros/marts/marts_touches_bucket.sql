{#- Buckets of a touch count, around the rule of thumb that 6-8 touches make a viable lead. -#}
{% macro marts_touches_bucket(expr) -%}
    case
        when {{ expr }} = 0 then '0'
        when {{ expr }} <= 2 then '1-2'
        when {{ expr }} <= 5 then '3-5'
        when {{ expr }} <= 8 then '6-8'
        when {{ expr }} <= 12 then '9-12'
        else '13+'
    end
{%- endmacro %}

{% macro marts_touches_bucket_order(expr) -%}
    case
        when {{ expr }} = 0 then 1
        when {{ expr }} <= 2 then 2
        when {{ expr }} <= 5 then 3
        when {{ expr }} <= 8 then 4
        when {{ expr }} <= 12 then 5
        else 6
    end
{%- endmacro %}
