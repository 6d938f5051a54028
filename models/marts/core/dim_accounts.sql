with

accounts as (

    select * from {{ ref('int_accounts') }}

),

deals as (

    select * from {{ ref('int_deals') }}

),

-- account value (docs/metrics.md): revenue, won deals and lifetime value to date (sum of won)
won_summary as (

    select
        account_key,
        count(*) as won_deal_count,
        sum(amount_reporting) as lifetime_value_reporting,
        min(closed_at) as first_won_at
    from deals
    where is_won
        and account_key is not null
    group by account_key

),

final as (

    select
        accounts.account_key,
        accounts.source_system,
        accounts.account_id,
        accounts.account_name,
        accounts.industry,
        accounts.employees,
        accounts.customer_segment,
        accounts.country,
        accounts.created_at,
        coalesce(won_summary.won_deal_count, 0) as won_deal_count,
        coalesce(won_summary.lifetime_value_reporting, 0) as lifetime_value_reporting,
        won_summary.first_won_at,
        won_summary.first_won_at is not null as is_customer
    from accounts
    left join won_summary
        on accounts.account_key = won_summary.account_key

)

select
    account_key,
    source_system,
    account_id,
    account_name,
    industry,
    employees,
    customer_segment,
    country,
    created_at,
    won_deal_count,
    lifetime_value_reporting,
    first_won_at,
    is_customer
from final
