with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

deal_values as (

    select
        deals.account_key,
        count(case when deals.is_won then 1 end) as won_deals,
        count(case when deals.is_lost then 1 end) as lost_deals,
        count(case when deals.is_open then 1 end) as open_deals,
        -- revenue: won in the trailing var('account_revenue_window_days') days up to the as-of date
        coalesce(sum(case
            when deals.is_won
                and deals.closed_date > {{ pipeline_add_days(
                    'deals.as_of_date', -1 * var('account_revenue_window_days', 365)
                ) }}
                then deals.amount_reporting
        end), 0) as revenue_trailing_window,
        -- lifetime value to date (docs/metrics.md): sum of won amounts
        coalesce(sum(case when deals.is_won then deals.amount_reporting end), 0) as lifetime_value,
        coalesce(sum(case when deals.is_open then deals.amount_reporting end), 0) as open_pipeline_amount,
        min(case when deals.is_won then deals.closed_date end) as first_won_date,
        max(case when deals.is_won then deals.closed_date end) as last_won_date
    from deals
    where deals.account_key is not null
    group by deals.account_key

)

select
    accounts.account_key,
    accounts.source_system,
    accounts.account_id,
    accounts.customer_segment,
    accounts.industry,
    coalesce(deal_values.won_deals, 0) as won_deals,
    coalesce(deal_values.lost_deals, 0) as lost_deals,
    coalesce(deal_values.open_deals, 0) as open_deals,
    coalesce(deal_values.lifetime_value, 0) as revenue,
    coalesce(deal_values.revenue_trailing_window, 0) as revenue_trailing_window,
    coalesce(deal_values.lifetime_value, 0) as lifetime_value,
    coalesce(deal_values.open_pipeline_amount, 0) as open_pipeline_amount,
    deal_values.first_won_date,
    deal_values.last_won_date,
    as_of.as_of_date
from accounts
cross join as_of
left join deal_values
    on accounts.account_key = deal_values.account_key
