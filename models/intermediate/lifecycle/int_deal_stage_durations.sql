with

spells as (

    select * from {{ ref('int_deal_spells') }}

),

-- the latest spell per stage: time in stage is given as the latest spell and as the sum (semantics)
ranked as (

    select
        spells.*,
        row_number() over (partition by deal_key, stage order by entered_at desc, entry_sequence desc) as recency_rank
    from spells

),

aggregated as (

    select
        deal_key,
        source_system,
        pipeline,
        stage,
        count(*) as spell_count,
        min(entered_at) as first_entered_at,
        max(entered_at) as last_entered_at,
        sum(days_in_spell) as total_days_in_stage,
        max(case when recency_rank = 1 then days_in_spell end) as latest_spell_days,
        max(case when recency_rank = 1 and is_current then 1 else 0 end) = 1 as is_current
    from ranked
    group by deal_key, source_system, pipeline, stage

)

select
    deal_key,
    source_system,
    pipeline,
    stage,
    spell_count,
    first_entered_at,
    last_entered_at,
    latest_spell_days,
    total_days_in_stage,
    is_current
from aggregated
