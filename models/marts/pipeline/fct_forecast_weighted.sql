with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

open_deals as (

    select
        as_of_date,
        source_system,
        amount_reporting,
        -- weighted pipeline (docs/metrics.md): open amount x CRM probability
        amount_reporting * probability as weighted_amount,
        case when probability is null then 1 else 0 end as is_probability_missing,
        owner_key,
        manager_key,
        team,
        region,
        channel,
        product,
        customer_segment,
        pipeline,
        deal_type
    from deals
    where is_open

),

segmented as (

    {{ pipeline_segment_rows('open_deals', [
        'as_of_date', 'source_system', 'amount_reporting', 'weighted_amount', 'is_probability_missing']) }}

)

select
    as_of_date,
    source_system,
    segment_type,
    segment_value,
    count(*) as open_deals,
    coalesce(sum(amount_reporting), 0) as open_amount,
    coalesce(sum(weighted_amount), 0) as weighted_amount,
    sum(is_probability_missing) as deals_without_probability
from segmented
group by as_of_date, source_system, segment_type, segment_value
