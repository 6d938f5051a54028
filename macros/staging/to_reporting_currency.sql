{#- Adds reporting-currency amounts to a relation: the only join staging makes (allowed by
    docs/metrics.md, Conventions > Money). Every amount model calls this one macro.

    The rate is the FX seed's rate_to_usd of the latest rate_date on or before the row's
    `as_of_date_column` (the day of the amount's event: a deal's close date, else its created
    date), for the row's currency and, when the reporting currency is not USD, for the
    reporting currency too (cross rate through USD):
        amount_reporting = amount * rate_to_usd(currency) / rate_to_usd(reporting currency)
    A row in the reporting currency converts 1:1 whatever the seed holds. A row whose rate is
    missing (unknown currency, or a date before the seed's first rate) is kept, with null
    reporting amounts and is_fx_rate_missing = true. Null dates count as missing rates.

    relation: the CTE to convert; amounts: {amount column: reporting column};
    adds fx_rate (to the reporting currency) and is_fx_rate_missing. -#}
{% macro to_reporting_currency(relation, amounts, currency_column='currency_code', as_of_date_column='fx_rate_date') -%}
    {%- set reporting = var('reporting_currency', 'USD') | upper -%}
    {%- set is_reporting = "amounts_to_convert." ~ currency_column ~ " = '" ~ reporting ~ "'" -%}
    {#- Money is converted in decimal arithmetic and rounded to cents per amount, so sums are
        exact and equal on every engine. With USD reporting (the default) there is no division;
        otherwise the cross rate is divided out before rounding. -#}
    {%- if reporting == 'USD' -%}
        {%- set cross_rate = "cast(currency_rate.rate_to_usd as decimal(18, 8))" -%}
    {%- else -%}
        {%- set cross_rate = "cast(currency_rate.rate_to_usd / reporting_rate.rate_to_usd as decimal(18, 8))" -%}
    {%- endif -%}
    select
        amounts_to_convert.*,
        {%- for amount_column, reporting_column in amounts.items() %}
        case
            when {{ is_reporting }} then cast(amounts_to_convert.{{ amount_column }} as decimal(20, 2))
            else cast(
                round(cast(amounts_to_convert.{{ amount_column }} as decimal(20, 2)) * {{ cross_rate }}, 2)
                as decimal(20, 2)
            )
        end as {{ reporting_column }},
        {%- endfor %}
        case
            when {{ is_reporting }} then 1.0
            else {{ cross_rate }}
        end as fx_rate,
        case
            when {{ is_reporting }} then false
            when currency_rate.rate_to_usd is null or reporting_rate.rate_to_usd is null then true
            else false
        end as is_fx_rate_missing
    from {{ relation }} as amounts_to_convert
    left join ({{ fx_rate_validity() }}) as currency_rate
        on currency_rate.currency_code = amounts_to_convert.{{ currency_column }}
        and amounts_to_convert.{{ as_of_date_column }} >= currency_rate.valid_from
        and (currency_rate.valid_to is null or amounts_to_convert.{{ as_of_date_column }} < currency_rate.valid_to)
    left join ({{ fx_rate_validity() }}) as reporting_rate
        on reporting_rate.currency_code = '{{ reporting }}'
        and amounts_to_convert.{{ as_of_date_column }} >= reporting_rate.valid_from
        and (reporting_rate.valid_to is null or amounts_to_convert.{{ as_of_date_column }} < reporting_rate.valid_to)
{%- endmacro %}

{#- Each seeded rate with the half-open date range [valid_from, valid_to) it applies to: from
    its rate_date to the currency's next rate_date (open-ended for the latest), so an as-of
    lookup is a plain range join that matches at most one rate on every engine. -#}
{% macro fx_rate_validity() -%}
    select
        upper(trim(currency_code)) as currency_code,
        cast(rate_date as date) as valid_from,
        lead(cast(rate_date as date)) over (
            partition by upper(trim(currency_code))
            order by cast(rate_date as date)
        ) as valid_to,
        cast(rate_to_usd as double) as rate_to_usd
    from {{ ref('fx_rates') }}
    where rate_to_usd is not null and rate_to_usd > 0
{%- endmacro %}

{#- A currency code: trimmed, upper case; null (no currency in the export) -> the reporting
    currency, which is the documented assumption for single-currency exports. -#}
{% macro currency_or_reporting(expr) -%}
    coalesce(upper({{ clean_text(expr) }}), '{{ var("reporting_currency", "USD") | upper }}')
{%- endmacro %}
