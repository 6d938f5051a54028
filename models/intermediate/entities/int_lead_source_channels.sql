{#- One row per (source_system, lead source key): the mapping files' channel_labels, then seed
    lead_source_channels; `*` rows of the seed apply to every source. A mapping's own label beats
    the seed's row for the same source and key, as its stage_labels beat the stage seed. -#}
with

seeded as (

    select * from {{ ref('lead_source_channels') }}

),

mapped as (

    select * from {{ ref('stg_generic__channel_labels') }}

),

candidates as (

    select
        lower(source_system) as source_system,
        lead_source_key,
        channel,
        'mapping_file' as origin,
        1 as origin_rank
    from mapped

    union all

    select distinct
        lower(trim(source_system)) as source_system,
        {{ alnum_key('lead_source_label') }} as lead_source_key,
        lower(trim(channel)) as channel,
        'seed' as origin,
        2 as origin_rank
    from seeded
    where {{ alnum_key('lead_source_label') }} is not null

),

ranked as (

    select
        source_system,
        lead_source_key,
        channel,
        origin,
        -- rank, not row_number: two seed rows giving one key different channels both stay, and
        -- the model's unique test names them
        rank() over (
            partition by source_system, lead_source_key
            order by origin_rank
        ) as candidate_rank
    from candidates

)

select
    source_system,
    lead_source_key,
    channel,
    origin
from ranked
where candidate_rank = 1
