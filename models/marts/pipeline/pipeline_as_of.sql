with

deals as (

    select * from {{ ref('int_deals') }}

),

entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

-- the latest deal event (creation or stage entry) in the data, read in business time
event_dates as (

    select {{ pipeline_business_date('created_at') }} as event_date from deals
    union all
    select {{ pipeline_business_date('entered_at') }} as event_date from entries

),

latest as (

    select max(event_date) as latest_event_date
    from event_dates

),

final as (

    select
        {{ pipeline_as_of_date('latest.latest_event_date') }} as as_of_date,
        latest.latest_event_date
    from latest

)

select
    as_of_date,
    -- the end of the as-of day (business wall-clock time): ages and open states are measured here
    cast({{ pipeline_add_days('as_of_date', 1) }} as timestamp) as as_of_at,
    latest_event_date
from final
