{#- The as-of of the pipeline, performance and planning marts: the warehouse's one as-of
    (int_as_of), so every mart measures ages and open states at the same instant. -#}
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

final as (

    select
        as_of_date,
        -- ages and open states are measured here (business wall-clock time)
        as_of_at,
        latest_deal_event_date as latest_event_date
    from as_of

)

select
    as_of_date,
    as_of_at,
    latest_event_date
from final
