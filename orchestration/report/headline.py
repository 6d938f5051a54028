"""The report's opening: the as-of date and the headline figures per source system.

The numbers come from the marts (docs/metrics.md): new leads and MQLs from the period funnel's day
grain, won deals, revenue, win rate and velocity from the pipeline velocity mart's trailing 90 days
ending at the as-of, open pipeline from the weighted pipeline at the as-of.
"""

from __future__ import annotations

import html
from datetime import date

import pandas as pd

# The headline's flows (leads, MQLs, won deals, revenue, win rate, velocity) cover the 90 days that
# end at the as-of date: the pipeline velocity mart's trailing_90_days window of the as-of month.
HEADLINE_DAYS = 90
# "Leads" and "MQLs" are first entries into these stages of the default stage model (pass-through
# counts: a person entering straight at mql has also reached lead), docs/metrics.md.
HEADLINE_STAGES = {"leads": "lead", "mqls": "mql"}

# The headline, one row per source system (a warehouse may hold several CRMs; rates never add up
# across them): flows over the HEADLINE_DAYS ending at the as-of, open pipeline at the as-of.
HEADLINE = f"""
    with as_of as (
        select as_of_date, as_of_date - {HEADLINE_DAYS - 1} as window_start
        from intermediate.int_as_of
    ),

    sources as (
        select source_system from marts.dim_persons
        union
        select source_system from marts.dim_deals
    ),

    -- without the day grain (var funnel_period_grains) the 90 days cannot be cut: no lead figure
    day_grain as (
        select count(*) > 0 as is_present
        from (select 1 from marts.fct_funnel_period where period_grain = 'day' limit 1) as any_day
    ),

    entries as (
        select
            period.source_system,
            sum(case when period.stage = '{HEADLINE_STAGES["leads"]}' then period.entities_entered else 0 end)
                as leads,
            sum(case when period.stage = '{HEADLINE_STAGES["mqls"]}' then period.entities_entered else 0 end)
                as mqls
        from marts.fct_funnel_period as period
        inner join as_of
            on period.period_start between as_of.window_start and as_of.as_of_date
        where period.period_grain = 'day' and period.segment_type = 'all' and period.entity_type = 'person'
        group by period.source_system
    ),

    closed as (
        select velocity.source_system, won_deals, lost_deals, won_amount, win_rate, pipeline_velocity
        from marts.fct_pipeline_velocity as velocity
        inner join as_of
            on velocity.window_end = as_of.as_of_date
        where velocity.window_type = 'trailing_90_days' and velocity.segment_type = 'all'
    ),

    open_pipeline as (
        select source_system, open_deals, open_amount, weighted_amount
        from marts.fct_forecast_weighted
        where segment_type = 'all'
    )

    select
        sources.source_system,
        as_of.as_of_date,
        as_of.window_start,
        case when day_grain.is_present then coalesce(entries.leads, 0) end as leads,
        case when day_grain.is_present then coalesce(entries.mqls, 0) end as mqls,
        coalesce(closed.won_deals, 0) as won_deals,
        coalesce(closed.lost_deals, 0) as lost_deals,
        coalesce(closed.won_amount, 0) as revenue,
        closed.win_rate,
        closed.pipeline_velocity,
        coalesce(open_pipeline.open_deals, 0) as open_deals,
        coalesce(open_pipeline.open_amount, 0) as open_amount,
        coalesce(open_pipeline.weighted_amount, 0) as weighted_amount
    from sources
    cross join as_of
    cross join day_grain
    left join entries on sources.source_system = entries.source_system
    left join closed on sources.source_system = closed.source_system
    left join open_pipeline on sources.source_system = open_pipeline.source_system
    order by sources.source_system
"""


# (figure, label, how the value reads); the note under a tile is added in _tiles
TILES = (
    ("leads", "new leads", "count"),
    ("mqls", "new MQLs", "count"),
    ("won_deals", "deals won", "count"),
    ("revenue", "revenue won", "money"),
    ("win_rate", "win rate", "rate"),
    ("pipeline_velocity", "pipeline velocity per day", "money"),
    ("open_amount", "open pipeline", "money"),
)


def figure_text(value: object, kind: str) -> str:
    """How a headline figure reads: whole counts and money with separators, rates to 0.1%."""
    if value is None or pd.isna(value):
        return "—"
    if kind == "rate":
        return f"{float(value):.1%}"
    return f"{float(value):,.0f}"


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def as_of_date(as_of: pd.DataFrame | None) -> date | None:
    if as_of is None or as_of.empty:
        return None
    return pd.Timestamp(as_of["as_of_date"].iloc[0]).date()


def partial_month(as_of: pd.DataFrame | None) -> date | None:
    """The first day of the as-of's month while it is partial, else None."""
    if as_of is None or as_of.empty or pd.isna(as_of["partial_month_start"].iloc[0]):
        return None
    return pd.Timestamp(as_of["partial_month_start"].iloc[0]).date()


def partial_note(as_of: pd.DataFrame | None) -> str:
    """What the trends leave out, for their captions ("" when the as-of month is complete)."""
    start = partial_month(as_of)
    if start is None:
        return ""
    return f" {start:%Y-%m} is left out: partial month to {_day(as_of_date(as_of))}."


def _trends_note(as_of: pd.DataFrame | None) -> str:
    note = partial_note(as_of)
    return f" Trends and bottlenecks show complete months only;{note}" if note else ""


def _notes(row: pd.Series) -> dict[str, str]:
    closed = int(row["won_deals"]) + int(row["lost_deals"])
    return {
        "won_deals": f"of {closed:,} closed",
        "win_rate": "won ÷ closed",
        "pipeline_velocity": "money the pipeline closes",
        "open_amount": f"{int(row['open_deals']):,} open deals, "
        f"{figure_text(row['weighted_amount'], 'money')} weighted",
    }


def _tiles(row: pd.Series, show_source: bool) -> str:
    notes = _notes(row)
    tiles = "".join(
        f"<div class='tile' data-figure='{figure}'><div class='value'>"
        f"{html.escape(figure_text(row[figure], kind))}</div>"
        f"<div class='label'>{html.escape(label)}</div>"
        f"<div class='note'>{html.escape(notes.get(figure, ''))}</div></div>"
        for figure, label, kind in TILES
    )
    source = html.escape(str(row["source_system"]))
    title = f"<h3>{source}</h3>" if show_source else ""
    return f"<div class='tiles' data-source-system='{source}'>{title}{tiles}</div>"


def render_headline(headline: pd.DataFrame | None, as_of: pd.DataFrame | None) -> str:
    """The as-of line and a row of headline tiles per source system."""
    day = as_of_date(as_of)
    if day is None:
        return "<p class='as-of'>As-of date unknown: the warehouse has not been built yet.</p>"
    line = (
        f"<p class='as-of'>Data as of <strong data-as-of='{day:%Y-%m-%d}'>{day:%Y-%m-%d}</strong> (end of day). "
        f"Leads, MQLs, wins, revenue, win rate and velocity: the {HEADLINE_DAYS} days "
        f"{_day(pd.Timestamp(day) - pd.Timedelta(days=HEADLINE_DAYS - 1))} to {day:%Y-%m-%d}; "
        f"open pipeline: at the as-of.{html.escape(_trends_note(as_of))}</p>"
    )
    if headline is None:
        return line + "<p class='empty'>No data: the headline marts are not in this warehouse yet.</p>"
    if headline.empty:
        return line + "<p class='empty'>No headline figures yet: the marts hold no persons or deals.</p>"
    show_source = headline["source_system"].nunique() > 1
    return line + "".join(_tiles(row, show_source) for _, row in headline.iterrows())
