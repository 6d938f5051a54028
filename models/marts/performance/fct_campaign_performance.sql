{#- Campaign performance as BI reads it: the campaign rows of int_attributed_performance. -#}
with

attributed_performance as (

    select * from {{ ref('int_attributed_performance') }}

)

select
    source_system,
    attribution_model,
    grain_value as campaign_id,
    spend,
    touches,
    leads,
    mqls,
    opportunities,
    new_customers,
    wins,
    revenue,
    pipeline_sourced,
    customer_acquisition_cost,
    return_on_investment,
    as_of_date
from attributed_performance
where grain = 'campaign'
