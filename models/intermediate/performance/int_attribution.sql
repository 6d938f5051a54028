with

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

outcomes as (

    select * from {{ ref('int_attribution_person_outcomes') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- a person's touches up to their first opportunity (all touches up to the as-of day when none):
-- the marketing file is shared by every CRM (matched by email hash), a mapping file's touches
-- belong to its own source system
person_touches as (

    select
        outcomes.person_key,
        touches.touch_key,
        touches.channel,
        coalesce(touches.campaign_id, 'none') as campaign_id,
        touches.touched_at
    from outcomes
    inner join touches
        on outcomes.email_hash = touches.person_email_hash
        and (touches.is_shared_source or touches.source_system = outcomes.source_system)
    cross join as_of
    where touches.touched_at <= coalesce(outcomes.opportunity_at, touches.touched_at)
        and {{ to_business_time('touches.touched_at') }} < as_of.as_of_at

),

-- rank within the person to find the first and last touch (the order is total: a touch is
-- once per person); the count gives the linear share
ranked as (

    select
        person_touches.*,
        row_number() over (partition by person_key order by touched_at, touch_key) as touch_rank,
        count(*) over (partition by person_key) as touch_count
    from person_touches

),

-- every touch credited once per model that credits it, in one pass over the ranked touches
credits as (

    select
        ranked.person_key,
        models.attribution_model,
        ranked.channel,
        ranked.campaign_id,
        case when models.attribution_model = 'linear' then 1.0 / ranked.touch_count else 1.0 end as credit,
        0 as touches
    from ranked
    cross join (
        select 'first_touch' as attribution_model
        union all
        select 'last_touch'
        union all
        select 'linear'
    ) as models
    where models.attribution_model = 'linear'
        or (models.attribution_model = 'first_touch' and ranked.touch_rank = 1)
        or (models.attribution_model = 'last_touch' and ranked.touch_rank = ranked.touch_count)

),

-- persons without a touch keep their CRM channel (lead source) with full credit in every model
untouched as (

    select
        outcomes.person_key,
        models.attribution_model,
        outcomes.crm_channel as channel,
        'none' as campaign_id,
        1.0 as credit,
        0 as touches
    from outcomes
    cross join (
        select 'first_touch' as attribution_model
        union all
        select 'last_touch'
        union all
        select 'linear'
    ) as models
    left join (select distinct person_key from person_touches) as touched
        on outcomes.person_key = touched.person_key
    where touched.person_key is null

),

final as (

    select
        outcomes.source_system,
        allocated.attribution_model,
        allocated.channel,
        allocated.campaign_id,
        allocated.person_key,
        cast(allocated.credit as double) as credit,
        allocated.credit * outcomes.is_lead as leads,
        allocated.credit * outcomes.is_mql as mqls,
        allocated.credit * outcomes.is_opportunity as opportunities,
        allocated.credit * outcomes.is_new_customer as new_customers,
        allocated.credit * outcomes.wins as wins,
        allocated.credit * outcomes.revenue as revenue,
        allocated.credit * outcomes.pipeline_sourced as pipeline_sourced
    from (
        select * from credits
        union all
        select * from untouched
    ) as allocated
    inner join outcomes
        on allocated.person_key = outcomes.person_key

)

select
    source_system,
    attribution_model,
    channel,
    campaign_id,
    person_key,
    credit,
    cast(leads as double) as leads,
    cast(mqls as double) as mqls,
    cast(opportunities as double) as opportunities,
    cast(new_customers as double) as new_customers,
    cast(wins as double) as wins,
    cast(revenue as double) as revenue,
    cast(pipeline_sourced as double) as pipeline_sourced
from final
