{#- Bottlenecks (docs/metrics.md): per segment cut and cohort month, the
    step whose conversion is furthest below its trailing baseline, and the step with the largest
    absolute drop-off. -#}
{%- set baseline_periods = var('bottleneck_baseline_periods', 3) %}
with

step_baselines as (

    select * from {{ ref('int_funnel_step_baselines') }}

),

ranked as (

    select
        *,
        baseline_conversion - conversion_from_previous as conversion_gap,
        -- the step furthest below its baseline; only steps with both a conversion and a baseline
        -- compete, ties go to the earlier step
        row_number() over (
            partition by source_system, entity_type, pipeline, segment_type, segment_value, period_start
            order by
                case when baseline_conversion is null or conversion_from_previous is null then 1 else 0 end,
                baseline_conversion - conversion_from_previous desc,
                stage_order
        ) as gap_rank,
        -- the step losing the most entities; ties go to the earlier step
        row_number() over (
            partition by source_system, entity_type, pipeline, segment_type, segment_value, period_start
            order by drop_off desc, stage_order asc
        ) as drop_off_rank
    from step_baselines

),

periods as (

    select distinct
        source_system,
        entity_type,
        pipeline,
        segment_type,
        segment_value,
        period_start
    from step_baselines

),

below_baseline as (

    select * from ranked
    where gap_rank = 1
        and conversion_gap > 0

),

largest_drop_off as (

    select * from ranked
    where drop_off_rank = 1

),

final as (

    select
        periods.source_system,
        periods.entity_type,
        periods.pipeline,
        'month' as period_grain,
        periods.period_start,
        periods.segment_type,
        periods.segment_value,
        {{ baseline_periods }} as baseline_periods,

        -- bottleneck: step furthest below its trailing baseline (null when no step is below it)
        below_baseline.previous_stage as bottleneck_from_stage,
        below_baseline.stage as bottleneck_stage,
        below_baseline.conversion_from_previous as bottleneck_conversion,
        below_baseline.baseline_conversion as bottleneck_baseline_conversion,
        below_baseline.conversion_gap as bottleneck_conversion_gap,

        -- largest absolute drop-off
        largest_drop_off.previous_stage as drop_off_from_stage,
        largest_drop_off.stage as drop_off_stage,
        largest_drop_off.entities_reached_previous_stage as drop_off_entities_from,
        largest_drop_off.entities_reached as drop_off_entities_to,
        largest_drop_off.drop_off as drop_off_entities
    from periods
    left join below_baseline
        on periods.source_system = below_baseline.source_system
        and periods.entity_type = below_baseline.entity_type
        and periods.pipeline = below_baseline.pipeline
        and periods.segment_type = below_baseline.segment_type
        and periods.segment_value = below_baseline.segment_value
        and periods.period_start = below_baseline.period_start
    left join largest_drop_off
        on periods.source_system = largest_drop_off.source_system
        and periods.entity_type = largest_drop_off.entity_type
        and periods.pipeline = largest_drop_off.pipeline
        and periods.segment_type = largest_drop_off.segment_type
        and periods.segment_value = largest_drop_off.segment_value
        and periods.period_start = largest_drop_off.period_start

)

select
    source_system,
    entity_type,
    pipeline,
    period_grain,
    period_start,
    segment_type,
    segment_value,
    baseline_periods,
    bottleneck_from_stage,
    bottleneck_stage,
    bottleneck_conversion,
    bottleneck_baseline_conversion,
    bottleneck_conversion_gap,
    drop_off_from_stage,
    drop_off_stage,
    drop_off_entities_from,
    drop_off_entities_to,
    drop_off_entities
from final
