{#- Days from a deal's creation to its close, as a double, never a silent negative span:
    null when the close day is earlier than the created day (imported historical deals, flagged
    is_close_before_created in staging), so cycle averages and medians leave the deal out while its
    won / lost counts keep it; 0 when it closed on its created day but at an earlier time of day (a
    date-only close date is read as midnight). Null when either input is null. -#}
{% macro marts_cycle_days(created_at, closed_at) -%}
    case
        when cast({{ closed_at }} as date) < cast({{ created_at }} as date) then null
        when {{ closed_at }} < {{ created_at }} then cast(0 as double)
        else {{ days_between(created_at, closed_at) }}
    end
{%- endmacro %}
