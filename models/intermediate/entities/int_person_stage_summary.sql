{#- A person's stage entries summed up: its current stage (the latest entry), first entry (its
    cohort, in business time), first mql, whether it was ever disqualified and its entry count.
    A view: only int_persons_enriched reads it. -#}
{{ config(materialized='view') }}

with

entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

-- current stage: the latest entry
latest_entries as (

    select
        person_key,
        stage as current_stage,
        entered_at as current_stage_entered_at,
        row_number() over (partition by person_key order by entry_sequence desc) as recency_rank
    from entries

),

entry_summary as (

    select
        person_key,
        min(entered_at) as first_entered_at,
        count(*) as entry_count,
        max(case when stage = 'disqualified' then 1 else 0 end) = 1 as was_disqualified,
        min(case when stage = 'mql' then entered_at end) as first_mql_at
    from entries
    group by person_key

),

cohorts as (

    select
        person_key,
        {{ to_business_time('first_entered_at') }} as cohort_at_business
    from entry_summary

)

select
    entry_summary.person_key,
    latest_entries.current_stage,
    latest_entries.current_stage_entered_at,
    entry_summary.was_disqualified,
    entry_summary.first_mql_at,
    entry_summary.first_entered_at,
    cast(cohorts.cohort_at_business as date) as cohort_day,
    {{ period_start('week', 'cohorts.cohort_at_business') }} as cohort_week,
    {{ period_start('month', 'cohorts.cohort_at_business') }} as cohort_month,
    {{ period_start('quarter', 'cohorts.cohort_at_business') }} as cohort_quarter,
    entry_summary.entry_count
from entry_summary
left join latest_entries
    on entry_summary.person_key = latest_entries.person_key
    and latest_entries.recency_rank = 1
inner join cohorts
    on entry_summary.person_key = cohorts.person_key
