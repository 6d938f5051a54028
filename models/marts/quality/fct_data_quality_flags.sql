-- Data-quality flags counted per source system, entity type and flag, with up to three example
-- record ids (the smallest): what loaded although it looks implausible. No row for a flag nobody
-- carries, so clean data leaves this mart empty.
with

flags as (

    select * from {{ ref('int_data_quality_flags') }}

),

ranked as (

    select
        source_system,
        entity_type,
        flag,
        record_id,
        row_number() over (partition by source_system, entity_type, flag order by record_id) as example_rank
    from flags

),

counted as (

    select
        source_system,
        entity_type,
        flag,
        count(*) as flagged_records,
        concat_ws(
            ', ',
            max(case when example_rank = 1 then record_id end),
            max(case when example_rank = 2 then record_id end),
            max(case when example_rank = 3 then record_id end)
        ) as example_record_ids
    from ranked
    group by source_system, entity_type, flag

)

select
    source_system,
    entity_type,
    flag,
    flagged_records,
    example_record_ids
from counted
