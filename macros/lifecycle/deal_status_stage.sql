{#- A deal's stage from its generic status and its label's stage: a won / lost status closes the
    deal whatever stage its label keeps (CRMs that close a deal by status leave the last stage
    label on it); otherwise the label's stage, 'unmapped' when the label maps to none. -#}
{% macro deal_status_stage(status, label_stage) -%}
    case
        when {{ status }} in ('won', 'closed won', 'closed_won') then 'closed_won'
        when {{ status }} in ('lost', 'closed lost', 'closed_lost') then 'closed_lost'
        else coalesce({{ label_stage }}, 'unmapped')
    end
{%- endmacro %}


{#- True when `stage` is a deal stage that means won (seed stage_definitions: is_won), where no
    deal is open. -#}
{% macro is_won_deal_stage(stage) -%}
    ({{ stage }} in (select stage from {{ ref('stage_definitions') }} where entity_type = 'deal' and is_won))
{%- endmacro %}
