{#- One row per channel, for BI: int_channels as it is. -#}
with

channels as (

    select * from {{ ref('int_channels') }}

)

select
    channel,
    channel_group,
    is_paid
from channels
