{#- numerator / denominator as an explicit floating-point division; null when the denominator is 0
    or null (a conversion with nothing to convert is unknown, not 0). -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as double) / cast({{ denominator }} as double)
    end
{%- endmacro %}
