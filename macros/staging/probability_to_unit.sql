{#- A probability on the 0-`scale` scale -> 0-1 (Salesforce and generic exports write 0-100,
    HubSpot 0-1). Written with a decimal divisor so no engine does integer division. -#}
{% macro probability_to_unit(expr, scale=100) -%}
    cast({{ expr }} as double) / {{ scale }}.0
{%- endmacro %}
