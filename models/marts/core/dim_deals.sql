{#- The deal dimension: the one enriched deal (int_deals_enriched), as BI reads it. -#}
{#- A view: the rows are the intermediate model's as they are, stored and tested once there (its tests
    run before any mart reads it); the published BI copy stores them as a table. -#}
{{ config(materialized='view') }}

with

deals as (

    select * from {{ ref('int_deals_enriched') }}

)

select
    deal_key,
    source_system,
    deal_id,
    pipeline,
    deal_type,
    deal_type_label,
    person_key,
    account_key,
    owner_key,
    manager_key,
    team,
    region,
    customer_segment,
    industry,
    lead_source,
    channel,
    product,
    current_stage_label,
    current_stage,
    current_stage_entered_at,
    days_in_current_stage,
    furthest_stage,
    lost_at_stage,
    is_closed,
    is_won,
    is_lost,
    is_open,
    amount,
    currency_code,
    amount_reporting,
    is_fx_rate_missing,
    probability,
    weighted_amount_reporting,
    created_at,
    closed_at,
    close_date,
    expected_close_date,
    created_date as created_day,
    created_week,
    created_month,
    created_quarter,
    days_to_close
from deals
