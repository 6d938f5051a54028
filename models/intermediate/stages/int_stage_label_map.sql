{#- The label -> stage map: the mapping files' stage_labels, then the seed, on normalised keys. -#}
with

generic_stage_labels as (

    select * from {{ ref('stg_generic__stage_labels') }}

),

seeded_stage_labels as (

    select * from {{ ref('stage_label_map') }}

),

label_map as (

    select
        lower(trim(source_system)) as source_system,
        lower(trim(pipeline)) as pipeline,
        {{ normalize_label('stage_label') }} as match_label,
        stage,
        'mapping_file' as mapping_origin,
        1 as origin_priority
    from generic_stage_labels

    union all

    select
        lower(trim(source_system)) as source_system,
        lower(trim(pipeline)) as pipeline,
        {{ normalize_label('raw_label') }} as match_label,
        {{ normalize_code('stage') }} as stage,
        'seed' as mapping_origin,
        2 as origin_priority
    from seeded_stage_labels

)

select
    source_system,
    pipeline,
    match_label,
    stage,
    mapping_origin,
    origin_priority
from label_map
