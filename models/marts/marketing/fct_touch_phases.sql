{#- Touch volume by phase (docs/metrics.md): touches per touch type, with
    its AIDA / AIDMA phase and funnel position, per channel and month. -#}
with

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

final as (

    select
        source_system,
        touch_month,
        channel,
        touch_type,
        aida_phase,
        aidma_phase,
        funnel_position,
        count(*) as touches,
        count(distinct identity_key) as people_touched,
        sum(case when is_identified then 1 else 0 end) as identified_touches
    from touches
    group by
        source_system,
        touch_month,
        channel,
        touch_type,
        aida_phase,
        aidma_phase,
        funnel_position

)

select
    source_system,
    touch_month,
    channel,
    touch_type,
    aida_phase,
    aidma_phase,
    funnel_position,
    touches,
    people_touched,
    identified_touches
from final
