with

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

stage_labels as (

    select * from {{ ref('int_stage_labels') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

deal_entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

-- persons: every source follows the whole seeded lifecycle (later stages are derived when the CRM lacks them)
person_pipelines as (

    select distinct
        source_system,
        'lifecycle' as pipeline
    from persons

),

person_stages as (

    select
        pipelines.source_system,
        'person' as entity_type,
        pipelines.pipeline,
        definitions.stage
    from person_pipelines as pipelines
    cross join stage_definitions as definitions
    where definitions.entity_type = 'person'

),

-- deals: the stages a pipeline's labels map to, and any stage its deals entered (status-closed deals)
deal_stages as (

    select distinct
        source_system,
        'deal' as entity_type,
        pipeline,
        stage
    from (
        select source_system, pipeline, stage
        from stage_labels
        where entity_type = 'deal'
            and stage <> 'unmapped'

        union all

        select source_system, pipeline, stage
        from deal_entries
        where stage <> 'unmapped'
    ) as observed

),

unioned as (

    select * from person_stages
    union all
    select * from deal_stages

),

final as (

    select
        unioned.source_system,
        unioned.entity_type,
        unioned.pipeline,
        unioned.stage,
        definitions.stage_order,
        -- position among the pipeline's ordered stages: "next stage" means position + 1
        case
            when definitions.stage_order is not null
                then
                    dense_rank() over (
                        partition by
                            unioned.source_system, unioned.entity_type, unioned.pipeline,
                            case when definitions.stage_order is null then 1 else 0 end
                        order by definitions.stage_order
                    )
        end as stage_position,
        coalesce(definitions.is_lost, false) as is_exit,
        coalesce(definitions.is_closed, false) as is_closed,
        coalesce(definitions.is_won, false) as is_won
    from unioned
    inner join stage_definitions as definitions
        on unioned.entity_type = definitions.entity_type
        and unioned.stage = definitions.stage

)

select
    source_system,
    entity_type,
    pipeline,
    stage,
    stage_order,
    stage_position,
    is_exit,
    is_closed,
    is_won
from final
