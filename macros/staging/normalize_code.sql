{#- A code-like value (touch type, email event type): normalised like a label, then spaces and
    hyphens -> underscores, so "Webinar Attended" and "webinar-attended" -> webinar_attended,
    the spelling of seeds/touch_type_map.csv. -#}
{% macro normalize_code(expr) -%}
    replace(replace({{ normalize_label(expr) }}, ' ', '_'), '-', '_')
{%- endmacro %}
