{#- Person stages that no CRM field records but the data proves, one row per derived stage entry:
    customer / repeat_customer at the close of the person's first / second won deal (as primary
    person), opportunity at the creation of the person's first deal known to have been open, and
    advocate when a referral touch names the person. -#}
{#- A view: read once, by the stage evidence union; nothing to store twice. -#}
{{ config(materialized='view') }}

with

persons as (

    select * from {{ ref('int_persons') }}

),

deals as (

    select * from {{ ref('int_deal_records') }}

),

deal_entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

-- customer / repeat_customer: the close of the person's first / second won deal (primary person)
won_deals as (

    select
        deals.person_key,
        coalesce(max(entries.entered_at), cast(max(deals.close_date) as timestamp)) as won_at,
        deals.deal_key
    from deals
    left join deal_entries as entries
        on deals.deal_key = entries.deal_key
        and entries.stage = 'closed_won'
    where deals.is_won
        and deals.person_key is not null
    group by deals.person_key, deals.deal_key

),

won_ranked as (

    select
        person_key,
        won_at,
        row_number() over (partition by person_key order by won_at, deal_key) as win_number
    from won_deals
    where won_at is not null

),

-- opportunity: creation of the person's first deal that is known to have been open (kept only where the
-- CRM has no such stage); a deal only known as closed (a list of won deals) proves no opportunity stage
open_deals as (

    select distinct deal_key
    from deal_entries
    where stage_order is not null
        and not {{ is_won_deal_stage('stage') }}

),

first_deals as (

    select
        deals.person_key,
        min(deals.created_at) as first_deal_at
    from deals
    inner join open_deals
        on deals.deal_key = open_deals.deal_key
    where deals.person_key is not null
        and deals.created_at is not null
    group by deals.person_key

),

-- advocate: the first stage entry (creation) of a person whose referral touch names this person
referrals as (

    select distinct
        email_hash as referred_email_hash,
        referred_by_email_hash,
        occurred_at
    from touches
    where referred_by_email_hash is not null

),

advocacy as (

    select
        referrers.person_key,
        min(coalesce(referred.created_at, referrals.occurred_at)) as advocate_at
    from referrals
    inner join persons as referrers
        on referrals.referred_by_email_hash = referrers.email_hash
    left join persons as referred
        on referrals.referred_email_hash = referred.email_hash
        and referred.source_system = referrers.source_system
    group by referrers.person_key

),

derived_rows as (

    select
        person_key,
        case when win_number = 1 then 'customer' else 'repeat_customer' end as stage,
        won_at as entered_at
    from won_ranked
    where win_number <= 2

    union all

    select
        person_key,
        'opportunity' as stage,
        first_deal_at as entered_at
    from first_deals

    union all

    select
        person_key,
        'advocate' as stage,
        advocate_at as entered_at
    from advocacy

)

select
    person_key,
    stage,
    entered_at
from derived_rows
