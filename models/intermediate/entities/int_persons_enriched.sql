{#- The one enriched person: every person with its current and furthest stage, its owner's team and
    region, its account's segment and its cohort (first stage entry) in business time. dim_persons and
    the person transitions read it, so they agree on every person. -#}
with

persons as (

    select * from {{ ref('int_persons') }}

),

stage_summary as (

    select * from {{ ref('int_person_stage_summary') }}

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

-- furthest stage: the highest ordered stage reached (pass-through applied, exits never count)
furthest as (

    select
        person_key,
        stage as furthest_stage,
        stage_order as furthest_stage_order,
        row_number() over (partition by person_key order by stage_order desc) as furthest_rank
    from reach

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
        stage_summary.current_stage,
        stage_summary.current_stage_entered_at,
        furthest.furthest_stage,
        furthest.furthest_stage_order,
        coalesce(stage_summary.was_disqualified, false) as was_disqualified,
        coalesce(stage_summary.current_stage = 'disqualified', false) as is_disqualified,
        stage_summary.first_mql_at,
        stage_summary.first_entered_at,
        stage_summary.cohort_day,
        stage_summary.cohort_week,
        stage_summary.cohort_month,
        stage_summary.cohort_quarter,
        coalesce(stage_summary.entry_count, 0) as entry_count
    from persons
    left join stage_summary
        on persons.person_key = stage_summary.person_key
    left join furthest
        on persons.person_key = furthest.person_key
        and furthest.furthest_rank = 1
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
