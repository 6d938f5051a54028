{#- Every deal's forecast category: the CRM's own (Salesforce ForecastCategoryName, HubSpot
    hs_forecast_category, generic forecast_category) when the export has one, else the band of its
    probability (seeds/forecast_category_bands.csv). Kept beside int_deals_enriched (joined by
    deal_key) so no existing deal model or mart changes. -#}
with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

hubspot_deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

generic_deals as (

    select * from {{ ref('stg_generic__deals') }}

),

bands as (

    select * from {{ ref('forecast_category_bands') }}

),

crm_labels as (

    select source_system, deal_id, forecast_category as forecast_category_label from salesforce_opportunities
    union all
    select source_system, deal_id, forecast_category as forecast_category_label from hubspot_deals
    union all
    select source_system, deal_id, forecast_category as forecast_category_label from generic_deals

),

-- the CRMs' labels (Salesforce Best Case, HubSpot BEST_CASE, OMIT) compared by letters only;
-- a label none of them uses counts as missing, so the probability band decides
labelled as (

    select
        deals.deal_key,
        deals.source_system,
        deals.is_won,
        deals.is_lost,
        deals.probability,
        crm_labels.forecast_category_label,
        case {{ alnum_key('crm_labels.forecast_category_label') }}
            when 'pipeline' then 'pipeline'
            when 'bestcase' then 'best_case'
            when 'commit' then 'commit'
            when 'closed' then 'closed'
            when 'omitted' then 'omitted'
            when 'omit' then 'omitted'
        end as crm_category
    from deals
    left join crm_labels
        on deals.source_system = crm_labels.source_system
        and deals.deal_id = crm_labels.deal_id

),

-- the band of the probability: the greatest min_probability at or below it
banded as (

    select
        labelled.deal_key,
        bands.forecast_category as band_category,
        row_number() over (partition by labelled.deal_key order by bands.min_probability desc) as band_rank
    from labelled
    inner join bands
        on bands.min_probability <= labelled.probability

),

final as (

    select
        labelled.deal_key,
        labelled.source_system,
        labelled.forecast_category_label,
        case
            when labelled.is_won then 'closed'
            when labelled.is_lost then 'omitted'
            when labelled.crm_category is not null then labelled.crm_category
            when banded.band_category is not null then banded.band_category
            else 'pipeline'
        end as forecast_category,
        case
            when labelled.is_won or labelled.is_lost then 'outcome'
            when labelled.crm_category is not null then 'crm'
            when banded.band_category is not null then 'probability_band'
            else 'no_probability'
        end as forecast_category_source
    from labelled
    left join banded
        on labelled.deal_key = banded.deal_key
        and banded.band_rank = 1

)

select
    deal_key,
    source_system,
    forecast_category_label,
    forecast_category,
    forecast_category_source
from final
