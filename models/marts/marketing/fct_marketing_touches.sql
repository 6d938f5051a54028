{#- One row per marketing touch, for BI: int_marketing_touches, which the marketing, hand-off and
    attribution models read, published as it is. -#}
{#- A view: the rows are the intermediate model's as they are, stored and tested once there (its tests
    run before any mart reads it); the published BI copy stores them as a table. -#}
{{ config(materialized='view') }}

with

touches as (

    select * from {{ ref('int_marketing_touches') }}

)

select
    touch_key,
    source_system,
    touch_id,
    campaign_id,
    anonymous_id,
    person_email_hash,
    identity_key,
    is_identified,
    is_stitched,
    referred_by_email_hash,
    touch_type,
    channel,
    aida_phase,
    aidma_phase,
    funnel_position,
    is_shared_source,
    touched_at,
    touch_month
from touches
