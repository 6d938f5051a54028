{#- One row per marketing touch (marketing file, mapping files): AIDA phase, funnel position, person. -#}
with

-- each import is read once: DuckDB materializes a CTE read more than once, whole (here every
-- touch with its hashes), so the anonymous ids' emails below read the touches again, filtered
marketing_touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

generic_touches as (

    select * from {{ ref('stg_generic__touches') }}

),

marketing_touches_with_both_ids as (

    select * from {{ ref('stg_marketing__touches') }}
    where anonymous_id is not null and email_hash is not null

),

generic_touches_with_both_ids as (

    select * from {{ ref('stg_generic__touches') }}
    where anonymous_id is not null and email_hash is not null

),

touch_type_map as (

    select * from {{ ref('touch_type_map') }}

),

-- a mapping file's channel_labels map its touches' labels (the marketing file writes channels)
mapped_channels as (

    select * from {{ ref('int_lead_source_channels') }}
    where origin = 'mapping_file'

),

-- the marketing file is shared by every CRM of the warehouse (it matches persons of any source
-- system by email hash); a mapping file's touches belong to that mapping's source system only
touches as (

    select
        source_system,
        touch_id,
        anonymous_id,
        email_hash,
        referred_by_email_hash,
        touch_type,
        channel,
        campaign_id,
        occurred_at,
        true as is_shared_source
    from marketing_touches

    union all

    select
        source_system,
        touch_id,
        anonymous_id,
        email_hash,
        cast(null as {{ dbt.type_string() }}) as referred_by_email_hash,
        touch_type,
        channel,
        campaign_id,
        occurred_at,
        false as is_shared_source
    from generic_touches

),

-- an anonymous id later seen with an email belongs to that email's person from its first touch on
-- (the earliest email seen with it wins)
anonymous_identities as (

    select
        source_system,
        anonymous_id,
        email_hash
    from (
        select
            source_system,
            anonymous_id,
            email_hash,
            row_number() over (
                partition by source_system, anonymous_id
                order by occurred_at, touch_id
            ) as email_rank
        from (
            select source_system, anonymous_id, email_hash, occurred_at, touch_id
            from marketing_touches_with_both_ids
            union all
            select source_system, anonymous_id, email_hash, occurred_at, touch_id
            from generic_touches_with_both_ids
        ) as touches_with_both_ids
    ) as emails_of_anonymous_ids
    where email_rank = 1

),

final as (

    select
        {{ dbt.concat(['touches.source_system', "':'", 'touches.touch_id']) }} as touch_key,
        touches.source_system,
        touches.touch_id,
        touches.campaign_id,
        touches.anonymous_id,
        -- identity: the email hash (on the touch or stitched through its anonymous id), else the
        -- anonymous id as a person of its own, else the touch itself
        coalesce(touches.email_hash, anonymous_identities.email_hash) as person_email_hash,
        coalesce(
            touches.email_hash,
            anonymous_identities.email_hash,
            {{ dbt.concat(["'anonymous:'", 'touches.anonymous_id']) }},
            {{ dbt.concat(["'touch:'", 'touches.source_system', "':'", 'touches.touch_id']) }}
        ) as identity_key,
        touches.email_hash is not null as is_identified,
        touches.email_hash is null and anonymous_identities.email_hash is not null as is_stitched,
        touches.referred_by_email_hash,
        touches.touch_type,
        coalesce(mapped_channels.channel, touches.channel, 'unknown') as channel,
        coalesce(touch_type_map.aida_phase, 'unmapped') as aida_phase,
        coalesce(touch_type_map.aidma_phase, 'unmapped') as aidma_phase,
        coalesce(touch_type_map.funnel_position, 'unmapped') as funnel_position,
        touches.is_shared_source,
        touches.occurred_at as touched_at,
        cast({{ dbt.date_trunc('month', to_business_time('touches.occurred_at')) }} as date) as touch_month

    from touches
    left join anonymous_identities
        on touches.source_system = anonymous_identities.source_system
        and touches.anonymous_id = anonymous_identities.anonymous_id
    left join touch_type_map
        on touches.touch_type = touch_type_map.touch_type
    left join mapped_channels
        on not touches.is_shared_source and lower(touches.source_system) = mapped_channels.source_system
        and {{ alnum_key('touches.channel') }} = mapped_channels.lead_source_key

)

select * from final
