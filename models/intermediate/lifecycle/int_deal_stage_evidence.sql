with

deals as (

    select * from {{ ref('int_deal_records') }}

),

salesforce_opportunity_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

hubspot_property_history as (

    select * from {{ ref('stg_hubspot__property_history') }}

),

hubspot_deal_stage_entered as (

    select * from {{ ref('stg_hubspot__deal_stage_entered') }}

),

generic_stage_events as (

    select * from {{ ref('stg_generic__stage_events') }}

),

deal_versions as (

    select * from {{ ref('int_deal_state_versions') }}

),

stage_labels as (

    select * from {{ ref('int_stage_labels') }}

),

-- labels are matched on their normalised form, so an older export's spelling still maps
label_stages as (

    select
        source_system,
        pipeline,
        stage_label_normalized,
        min(stage) as stage
    from stage_labels
    where entity_type = 'deal'
    group by source_system, pipeline, stage_label_normalized

),

history_rows as (

    select
        source_system,
        deal_id,
        pipeline,
        stage_label,
        changed_at as entered_at
    from salesforce_opportunity_history
    where not coalesce(is_deleted, false)
        and stage_label is not null
        and changed_at is not null

    union all

    select
        history.source_system,
        history.object_id as deal_id,
        coalesce(deals.pipeline, 'default') as pipeline,
        history.stage_label,
        history.changed_at as entered_at
    from hubspot_property_history as history
    left join deals
        on history.source_system = deals.source_system
        and history.object_id = deals.deal_id
    where history.object_type = 'deal'
        and history.property_name = 'dealstage'
        and history.stage_label is not null
        and history.changed_at is not null

    union all

    select
        source_system,
        entity_id as deal_id,
        pipeline,
        stage_label,
        entered_at
    from generic_stage_events
    where entity_type = 'deal'
        and stage_label is not null
        and entered_at is not null

),

stage_date_rows as (

    select
        entered.source_system,
        entered.deal_id,
        coalesce(deals.pipeline, 'default') as pipeline,
        entered.stage_label,
        entered.entered_at
    from hubspot_deal_stage_entered as entered
    left join deals
        on entered.source_system = deals.source_system
        and entered.deal_id = deals.deal_id
    where entered.stage_label is not null
        and entered.entered_at is not null

),

-- each export's stage, with a status (won / lost) closing a deal whose label keeps its last stage
versions_staged as (

    select
        versions.*,
        coalesce(labels.stage, 'unmapped') as label_stage,
        {{ deal_status_stage('versions.status', 'labels.stage') }} as version_stage
    from deal_versions as versions
    left join label_stages as labels
        on versions.source_system = labels.source_system
        and versions.pipeline = labels.pipeline
        and {{ normalize_label('versions.stage_label') }} = labels.stage_label_normalized

),

-- snapshot evidence: a stage that shows in an export but not in the one before entered in between
-- when a version was seen: its export time, but never after a newer version's (an undated file is
-- dated by its mtime, which can be months after a newer dated export of the same records)
versions_observed as (

    select
        versions_staged.*,
        min(exported_at) over (
            partition by source_system, deal_id order by version_number desc
            rows between unbounded preceding and current row
        ) as observed_at
    from versions_staged

),

versions_compared as (

    select
        versions_observed.*,
        lag(version_stage) over (partition by source_system, deal_id order by version_number) as previous_stage,
        lag(observed_at) over (partition by source_system, deal_id order by version_number) as previous_observed_at
    from versions_observed

),

snapshot_rows as (

    select
        source_system,
        deal_id,
        pipeline,
        case when version_stage = label_stage then stage_label end as stage_label,
        version_stage as stage,
        case
            when version_stage in ('closed_won', 'closed_lost')
                and closed_at > previous_observed_at
                and closed_at <= observed_at
                then closed_at
            else observed_at
        end as entered_at,
        previous_observed_at as window_start
    from versions_compared
    where version_number > 1
        and version_stage <> previous_stage

),

first_versions as (

    select * from versions_staged
    where version_number = 1

),

-- last resort: the first known stage at creation, the closing stage at the close date
created_closed_rows as (

    select
        deals.source_system,
        deals.deal_id,
        deals.pipeline,
        coalesce(first_versions.stage_label, deals.current_stage_label) as stage_label,
        coalesce(first_versions.label_stage, deals.current_label_stage) as stage,
        deals.created_at as entered_at
    from deals
    left join first_versions
        on deals.source_system = first_versions.source_system
        and deals.deal_id = first_versions.deal_id
    where coalesce(first_versions.label_stage, deals.current_label_stage) not in ('closed_won', 'closed_lost')
        and deals.created_at is not null

    union all

    select
        deals.source_system,
        deals.deal_id,
        deals.pipeline,
        case
            when coalesce(first_versions.version_stage, deals.current_stage) = coalesce(first_versions.label_stage, deals.current_label_stage)
                then coalesce(first_versions.stage_label, deals.current_stage_label)
        end as stage_label,
        coalesce(first_versions.version_stage, deals.current_stage) as stage,
        coalesce(first_versions.closed_at, cast(deals.close_date as timestamp), deals.created_at) as entered_at
    from deals
    left join first_versions
        on deals.source_system = first_versions.source_system
        and deals.deal_id = first_versions.deal_id
    where coalesce(first_versions.version_stage, deals.current_stage) in ('closed_won', 'closed_lost')

),

labelled as (

    select
        rows.source_system,
        rows.deal_id,
        rows.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        rows.entered_at,
        'history' as evidence,
        cast(null as timestamp) as window_start
    from history_rows as rows
    left join label_stages as labels
        on rows.source_system = labels.source_system
        and rows.pipeline = labels.pipeline
        and {{ normalize_label('rows.stage_label') }} = labels.stage_label_normalized

    union all

    select
        rows.source_system,
        rows.deal_id,
        rows.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        rows.entered_at,
        'stage_dates' as evidence,
        cast(null as timestamp) as window_start
    from stage_date_rows as rows
    left join label_stages as labels
        on rows.source_system = labels.source_system
        and rows.pipeline = labels.pipeline
        and {{ normalize_label('rows.stage_label') }} = labels.stage_label_normalized

    union all

    select
        source_system,
        deal_id,
        stage_label,
        stage,
        entered_at,
        'snapshot' as evidence,
        window_start
    from snapshot_rows

    union all

    select
        source_system,
        deal_id,
        stage_label,
        stage,
        entered_at,
        'created_closed' as evidence,
        cast(null as timestamp) as window_start
    from created_closed_rows

),

final as (

    select
        deals.deal_key,
        deals.source_system,
        deals.pipeline,
        labelled.stage_label,
        labelled.stage,
        labelled.entered_at,
        labelled.evidence,
        case labelled.evidence
            when 'history' then 1
            when 'stage_dates' then 2
            when 'snapshot' then 3
            when 'created_closed' then 4
            else 5
        end as evidence_rank,
        -- how weaker evidence is checked against stronger (see int_deal_stage_entries)
        case labelled.evidence
            when 'history' then 'none'
            when 'stage_dates' then 'stage'
            when 'snapshot' then 'window'
            when 'created_closed' then 'entity'
            else 'instant'
        end as dedup_scope,
        labelled.window_start
    from labelled
    inner join deals
        on labelled.source_system = deals.source_system
        and labelled.deal_id = deals.deal_id
    where labelled.entered_at is not null

)

select
    deal_key,
    source_system,
    pipeline,
    stage_label,
    stage,
    entered_at,
    evidence,
    evidence_rank,
    dedup_scope,
    window_start
from final
