{#- The first touch of every touched identity, per CRM view (docs/metrics.md): the marketing file's touches count in every CRM's view, a mapping file's only in its own. -#}
{#- A view: one row per touched identity, read only by int_marketing_funnel_people. -#}
{{ config(materialized='view') }}
with

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

-- the CRMs of the warehouse: every funnel is one CRM's view
crm_systems as (

    select distinct source_system
    from persons

),

-- the marketing file's touches count in every CRM's view, a mapping file's only in its own
scoped_touches as (

    select
        crm_systems.source_system as crm_source_system,
        touches.identity_key,
        touches.channel,
        touches.touched_at,
        touches.touch_key
    from touches
    inner join crm_systems
        on touches.is_shared_source
        or touches.source_system = crm_systems.source_system

),

ranked_touches as (

    select
        *,
        row_number() over (
            partition by crm_source_system, identity_key order by touched_at, touch_key
        ) as touch_rank
    from scoped_touches

)

select
    crm_source_system,
    identity_key,
    channel as first_touch_channel,
    touched_at as first_touched_at
from ranked_touches
where touch_rank = 1
