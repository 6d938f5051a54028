{#- Marketing funnel, customer view (semantics: "Marketing funnel (customer view)"): awareness ->
    consideration -> conversion -> loyalty -> advocacy, people per phase per cohort month and channel. -#}
with

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

person_stage_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

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

first_touches as (

    select
        crm_source_system,
        identity_key,
        channel as first_touch_channel,
        touched_at as first_touched_at
    from (
        select
            *,
            row_number() over (
                partition by crm_source_system, identity_key order by touched_at, touch_key
            ) as touch_rank
        from scoped_touches
    ) as ranked_touches
    where touch_rank = 1

),

person_entries as (

    select
        person_key,
        min(reached_at) as entered_funnel_at,
        max(case when stage = 'lead' then 1 else 0 end) as has_reached_lead
    from person_stage_reach
    group by person_key

),

won_deals as (

    select
        person_key,
        count(*) as won_deals,
        max(case when deal_type in ('renewal', 'upsell') then 1 else 0 end) as has_won_renewal_or_upsell
    from deals
    where is_won
        and person_key is not null
    group by person_key

),

-- referrers: people named by a referral touch of a person who became a lead
referred_leads as (

    select distinct
        persons.source_system,
        touches.referred_by_email_hash
    from touches
    inner join persons
        on touches.person_email_hash = persons.email_hash
        and (touches.is_shared_source or touches.source_system = persons.source_system)
    inner join person_entries
        on persons.person_key = person_entries.person_key
    where touches.referred_by_email_hash is not null
        and person_entries.has_reached_lead = 1

),

crm_people as (

    select
        persons.source_system,
        persons.person_key as identity_key,
        -- aware at the first touch or, with no touch on record, at the funnel entry (pass-through);
        -- least skips nulls on both engines
        coalesce(
            least(first_touches.first_touched_at, person_entries.entered_funnel_at),
            persons.created_at
        ) as aware_at,
        coalesce(persons.channel, first_touches.first_touch_channel, 'unknown') as channel,
        -- the furthest phase, see semantics "Marketing funnel (customer view)"
        case
            when referred_leads.referred_by_email_hash is not null then 'advocacy'
            when won_deals.won_deals >= 2 or won_deals.has_won_renewal_or_upsell = 1 then 'loyalty'
            when won_deals.won_deals >= 1 then 'conversion'
            when person_entries.has_reached_lead = 1 then 'consideration'
            else 'awareness'
        end as furthest_phase
    from persons
    left join first_touches
        on persons.source_system = first_touches.crm_source_system
        and persons.email_hash = first_touches.identity_key
    left join person_entries
        on persons.person_key = person_entries.person_key
    left join won_deals
        on persons.person_key = won_deals.person_key
    left join referred_leads
        on persons.source_system = referred_leads.source_system
        and persons.email_hash = referred_leads.referred_by_email_hash

),

-- touched people the CRM does not know (anonymous ids, emails of no person): aware only
touched_only_people as (

    select
        first_touches.crm_source_system as source_system,
        first_touches.identity_key,
        first_touches.first_touched_at as aware_at,
        first_touches.first_touch_channel as channel,
        'awareness' as furthest_phase
    from first_touches
    left join persons
        on first_touches.crm_source_system = persons.source_system
        and first_touches.identity_key = persons.email_hash
    where persons.person_key is null

),

people_by_channel as (

    select
        source_system,
        cast({{ dbt.date_trunc('month', to_business_time('aware_at')) }} as date) as cohort_month,
        channel,
        furthest_phase
    from (
        select source_system, aware_at, channel, furthest_phase from crm_people
        union all
        select source_system, aware_at, channel, furthest_phase from touched_only_people
    ) as all_people
    where aware_at is not null

),

people as (

    select * from people_by_channel

    union all

    select
        source_system,
        cohort_month,
        'all' as channel,
        furthest_phase
    from people_by_channel

),

-- phase order from the seed: a phase starts at the lowest stage_order mapped to it
phases as (

    select
        phase,
        dense_rank() over (order by phase_start_order) as phase_order
    from (
        select
            marketing_phase as phase,
            min(stage_order) as phase_start_order
        from stage_definitions
        where entity_type = 'person'
            and stage_order is not null
            and marketing_phase is not null
        group by marketing_phase
    ) as phase_starts

),

people_phases as (

    select
        people.source_system,
        people.cohort_month,
        people.channel,
        phases.phase_order as furthest_phase_order
    from people
    inner join phases
        on people.furthest_phase = phases.phase

),

-- pass-through: a person whose furthest phase is p has reached p and every earlier phase
phase_reach as (

    select
        people_phases.source_system,
        people_phases.cohort_month,
        people_phases.channel,
        phases.phase,
        phases.phase_order,
        sum(case when people_phases.furthest_phase_order >= phases.phase_order then 1 else 0 end) as people_reached,
        sum(case when people_phases.furthest_phase_order = phases.phase_order then 1 else 0 end) as people_furthest_in_phase
    from people_phases
    cross join phases
    group by
        people_phases.source_system,
        people_phases.cohort_month,
        people_phases.channel,
        phases.phase,
        phases.phase_order

),

with_denominators as (

    select
        *,
        lag(people_reached) over (
            partition by source_system, cohort_month, channel order by phase_order
        ) as people_reached_previous_phase,
        max(case when phase_order = 1 then people_reached end) over (
            partition by source_system, cohort_month, channel
        ) as people_in_cohort
    from phase_reach

),

final as (

    select
        source_system,
        cohort_month,
        channel,
        phase,
        phase_order,
        people_in_cohort,
        people_reached,
        people_reached_previous_phase,
        people_furthest_in_phase,
        {{ safe_divide('people_reached', 'people_reached_previous_phase') }} as conversion_from_previous_phase,
        {{ safe_divide('people_reached', 'people_in_cohort') }} as conversion_from_top
    from with_denominators

)

select
    source_system,
    cohort_month,
    channel,
    phase,
    phase_order,
    people_in_cohort,
    people_reached,
    people_reached_previous_phase,
    people_furthest_in_phase,
    conversion_from_previous_phase,
    conversion_from_top
from final
