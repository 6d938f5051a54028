{#- The person dimension: the one enriched person (int_persons_enriched), as BI reads it. -#}
{#- A view: the rows are the intermediate model's as they are, stored and tested once there (its tests
    run before any mart reads it); the published BI copy stores them as a table. -#}
{{ config(materialized='view') }}

with

persons as (

    select * from {{ ref('int_persons_enriched') }}

)

select
    person_key,
    source_system,
    person_id,
    email_hash,
    account_key,
    owner_key,
    manager_key,
    team,
    region,
    customer_segment,
    industry,
    lead_source,
    channel,
    lead_score,
    country,
    created_at,
    current_stage,
    current_stage_entered_at,
    furthest_stage,
    furthest_stage_order,
    was_disqualified,
    is_disqualified,
    first_mql_at,
    first_entered_at,
    cohort_day,
    cohort_week,
    cohort_month,
    cohort_quarter,
    entry_count
from persons
