{#- The one enriched person: every person with its current and furthest stage, its owner's team and
    region, its account's segment and its cohort (first stage entry) in business time. dim_persons and
    the person transitions read it, so they agree on every person. -#}
with

persons as (

    select * from {{ ref('int_persons') }}

),

entries as (

    select * from {{ ref('int_person_stage_entries') }}

),

reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

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

-- furthest stage: the highest ordered stage reached (pass-through applied, exits never count)
furthest as (

    select
        person_key,
        stage as furthest_stage,
        stage_order as furthest_stage_order,
        row_number() over (partition by person_key order by stage_order desc) as furthest_rank
    from reach

),

cohorts as (

    select
        person_key,
        {{ to_business_time('first_entered_at') }} as cohort_at_business
    from entry_summary

),

final as (

    select
        persons.person_key,
        persons.source_system,
        persons.person_id,
        persons.email_hash,
        persons.account_key,
        persons.owner_key,
        owners.manager_key,
        owners.team,
        owners.region,
        accounts.customer_segment,
        accounts.industry,
        persons.lead_source,
        persons.channel,
        persons.lead_score,
        persons.country,
        persons.created_at,
        latest_entries.current_stage,
        latest_entries.current_stage_entered_at,
        furthest.furthest_stage,
        furthest.furthest_stage_order,
        coalesce(entry_summary.was_disqualified, false) as was_disqualified,
        coalesce(latest_entries.current_stage = 'disqualified', false) as is_disqualified,
        entry_summary.first_mql_at,
        entry_summary.first_entered_at,
        cast(cohorts.cohort_at_business as date) as cohort_day,
        {{ period_start('week', 'cohorts.cohort_at_business') }} as cohort_week,
        {{ period_start('month', 'cohorts.cohort_at_business') }} as cohort_month,
        {{ period_start('quarter', 'cohorts.cohort_at_business') }} as cohort_quarter,
        coalesce(entry_summary.entry_count, 0) as entry_count
    from persons
    left join latest_entries
        on persons.person_key = latest_entries.person_key
        and latest_entries.recency_rank = 1
    left join entry_summary
        on persons.person_key = entry_summary.person_key
    left join furthest
        on persons.person_key = furthest.person_key
        and furthest.furthest_rank = 1
    left join cohorts
        on persons.person_key = cohorts.person_key
    left join owners
        on persons.owner_key = owners.owner_key
    left join accounts
        on persons.account_key = accounts.account_key

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
from final
