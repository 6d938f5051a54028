{#- One row per deal whose last stage entry closes it: the entry that began its final run of closed
    entries with the same outcome, which is when the deal closed (docs/metrics.md). A won deal that
    moves on to `delivery` closed when it was won, not when it was delivered; a deal reopened and
    closed again closed the second time; a won deal later marked lost closed when it was lost. -#}
with

entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- each entry's outcome: won (closed_won, delivery), lost, or open (every other stage, unmapped)
classified as (

    select
        entries.deal_key,
        entries.entry_sequence,
        entries.entered_at,
        case
            when definitions.is_won then 'won'
            when definitions.is_lost then 'lost'
            else 'open'
        end as outcome,
        row_number() over (partition by entries.deal_key order by entries.entry_sequence desc) as recency_rank
    from entries
    left join stage_definitions as definitions
        on definitions.entity_type = 'deal'
        and entries.stage = definitions.stage

),

final_outcomes as (

    select
        deal_key,
        outcome as final_outcome
    from classified
    where recency_rank = 1
        and outcome <> 'open'

),

-- the final run starts after the last entry with another outcome (0: every entry is in the run)
run_bounds as (

    select
        classified.deal_key,
        coalesce(max(
            case when classified.outcome <> final_outcomes.final_outcome then classified.entry_sequence end
        ), 0) as last_other_sequence
    from classified
    inner join final_outcomes
        on classified.deal_key = final_outcomes.deal_key
    group by classified.deal_key

),

run_entries as (

    select
        classified.deal_key,
        classified.entry_sequence,
        classified.entered_at,
        row_number() over (partition by classified.deal_key order by classified.entry_sequence) as run_rank
    from classified
    inner join run_bounds
        on classified.deal_key = run_bounds.deal_key
        and classified.entry_sequence > run_bounds.last_other_sequence

)

select
    deal_key,
    entry_sequence as closing_sequence,
    entered_at as closed_at
from run_entries
where run_rank = 1
