{#- Touches before MQL, one row per person who reached mql, for BI: int_touches_before_mql (which
    the distribution mart reads) as it is. -#}
{#- A view: the rows are the intermediate model's as they are, stored and tested once there (its tests
    run before any mart reads it); the published BI copy stores them as a table. -#}
{{ config(materialized='view') }}

with

touches_before_mql as (

    select * from {{ ref('int_touches_before_mql') }}

)

select
    person_key,
    source_system,
    channel,
    mql_at,
    first_touched_at,
    touches_before_mql,
    identified_touches_before_mql,
    touches_bucket,
    touches_bucket_order,
    days_first_touch_to_mql
from touches_before_mql
