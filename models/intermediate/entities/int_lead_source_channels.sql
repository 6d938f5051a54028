-- one row per (source_system, lead source key) the seed maps; `*` rows apply to every source
with

seeded as (

    select * from {{ ref('lead_source_channels') }}

),

final as (

    select distinct
        lower(trim(source_system)) as source_system,
        {{ alnum_key('lead_source_label') }} as lead_source_key,
        lower(trim(channel)) as channel
    from seeded
    where {{ alnum_key('lead_source_label') }} is not null

)

select
    source_system,
    lead_source_key,
    channel
from final
