{#- A warning, not an error as for stages: an unmapped lead source moves rows between channel
    segments but no funnel count, so the build goes on; the rows stay visible in channel `unmapped`. -#}
{{ config(severity='warn', store_failures=true) }}

-- Names every lead-source label of persons and deals that no mapping turns into a channel: add it
-- to the mapping file's channel_labels: (or to seeds/lead_source_channels.csv).
with

persons as (

    select * from {{ ref('int_persons') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

unmapped as (

    select source_system, 'person' as entity_type, lead_source
    from persons
    where channel = 'unmapped'

    union all

    select source_system, 'deal' as entity_type, lead_source
    from deals
    where channel = 'unmapped' and lead_source is not null

)

select
    source_system,
    entity_type,
    lead_source as raw_label,
    count(*) as rows_with_label
from unmapped
group by source_system, entity_type, lead_source
