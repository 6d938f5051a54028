{#- Touches before MQL (docs/metrics.md): one row per person who reached mql, with
    the count of marketing touches before the MQL time. -#}
with

persons as (

    select * from {{ ref('int_persons') }}

),

person_stage_reach as (

    select * from {{ ref('int_person_stage_reach') }}

),

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

-- MQL time: the reach of mql (its first entry, or the first entry past it when skipped)
mql_persons as (

    select
        persons.person_key,
        persons.source_system,
        persons.email_hash,
        coalesce(persons.channel, 'unknown') as channel,
        person_stage_reach.reached_at as mql_at
    from persons
    inner join person_stage_reach
        on persons.person_key = person_stage_reach.person_key
        and person_stage_reach.stage = 'mql'

),

-- touches join persons on the email hash (touches of an anonymous id stitched to the email count
-- too); the marketing file's touches match every CRM, a mapping file's only its own
touch_counts as (

    select
        mql_persons.person_key,
        count(*) as touches_before_mql,
        sum(case when touches.is_identified then 1 else 0 end) as identified_touches_before_mql,
        min(touches.touched_at) as first_touched_at
    from mql_persons
    inner join touches
        on mql_persons.email_hash = touches.person_email_hash
        and (touches.is_shared_source or touches.source_system = mql_persons.source_system)
    where touches.touched_at < mql_persons.mql_at
    group by mql_persons.person_key

),

counted as (

    select
        mql_persons.person_key,
        mql_persons.source_system,
        mql_persons.channel,
        mql_persons.mql_at,
        coalesce(touch_counts.touches_before_mql, 0) as touches_before_mql,
        coalesce(touch_counts.identified_touches_before_mql, 0) as identified_touches_before_mql,
        touch_counts.first_touched_at
    from mql_persons
    left join touch_counts
        on mql_persons.person_key = touch_counts.person_key

),

final as (

    select
        person_key,
        source_system,
        channel,
        mql_at,
        first_touched_at,
        touches_before_mql,
        identified_touches_before_mql,
        {{ marts_touches_bucket('touches_before_mql') }} as touches_bucket,
        {{ marts_touches_bucket_order('touches_before_mql') }} as touches_bucket_order,
        {{ days_between('first_touched_at', 'mql_at') }}
            as days_first_touch_to_mql
    from counted

)

select
    person_key,
    source_system,
    channel,
    mql_at,
    first_touched_at,
    touches_before_mql,
    identified_touches_before_mql,
    touches_bucket,
    touches_bucket_order,
    days_first_touch_to_mql
from final
