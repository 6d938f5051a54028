{#- The stage a label means, looked up by its normalised form, so an older export's spelling still
    maps: one row per source system, entity type, pipeline and normalised label. Every stage
    evidence model maps its labels through this one lookup. -#}
with

stage_labels as (

    select * from {{ ref('int_stage_labels') }}

),

lookup as (

    select
        source_system,
        entity_type,
        pipeline,
        stage_label_normalized,
        -- two spellings of one normalised label that map to different stages: the first stage wins
        min(stage) as stage
    from stage_labels
    group by source_system, entity_type, pipeline, stage_label_normalized

)

select
    source_system,
    entity_type,
    pipeline,
    stage_label_normalized,
    stage
from lookup
