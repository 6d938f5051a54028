{#- Touches before MQL per channel (docs/metrics.md): one row per source system,
    channel (and 'all') and touches bucket, with the channel's mean and median beside the counts. -#}
with

touches_before_mql as (

    select * from {{ ref('int_touches_before_mql') }}

),

people as (

    select
        source_system,
        channel,
        touches_bucket,
        touches_bucket_order,
        touches_before_mql
    from touches_before_mql

    union all

    select
        source_system,
        'all' as channel,
        touches_bucket,
        touches_bucket_order,
        touches_before_mql
    from touches_before_mql

),

channel_stats as (

    select
        source_system,
        channel,
        count(*) as channel_persons,
        avg(cast(touches_before_mql as double)) as mean_touches_before_mql,
        {{ marts_percentile('touches_before_mql', 0.5) }} as median_touches_before_mql
    from people
    group by
        source_system,
        channel

),

bucket_counts as (

    select
        source_system,
        channel,
        touches_bucket,
        touches_bucket_order,
        count(*) as persons
    from people
    group by
        source_system,
        channel,
        touches_bucket,
        touches_bucket_order

),

final as (

    select
        bucket_counts.source_system,
        bucket_counts.channel,
        bucket_counts.touches_bucket,
        bucket_counts.touches_bucket_order,
        bucket_counts.persons,
        {{ safe_divide('bucket_counts.persons', 'channel_stats.channel_persons') }} as share_of_channel,
        channel_stats.channel_persons,
        channel_stats.mean_touches_before_mql,
        channel_stats.median_touches_before_mql
    from bucket_counts
    inner join channel_stats
        on bucket_counts.source_system = channel_stats.source_system
        and bucket_counts.channel = channel_stats.channel

)

select
    source_system,
    channel,
    touches_bucket,
    touches_bucket_order,
    persons,
    share_of_channel,
    channel_persons,
    mean_touches_before_mql,
    median_touches_before_mql
from final
