"""Render the report: data from the warehouse, charts from Plotly, one HTML file.

Layout only: the numbers come from `data.py`, the figures from `charts.py`. A section whose data
is missing or empty shows a "no data" note in place of its chart, so the page always renders.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from orchestration.report import charts
from orchestration.report.data import RECENT_MONTHS, ReportData, read_report_data
from orchestration.report.headline import partial_note, render_headline

# Every chart the report can draw, in page order. The browser test checks that each one drew.
CHART_IDS = (
    "person-funnel",
    "deal-funnel",
    "segment-conversion",
    "bottlenecks",
    "velocity-trend",
    "pipeline-by-stage",
    "forecast-vs-actual",
    "forecast-vs-actual-next-month",
    "stale-deals",
    "mql-sla",
    "aida-funnel",
    "tofu-mofu-bofu",
    "touch-phases",
    "reconciliation",
)

# A spreadsheet runs a cell starting with one of these as a formula (CSV/formula injection); a
# leading quote makes it plain text there and stays readable here.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def build_report(warehouse: Path, out_file: Path) -> Path:
    """Write the self-contained report for `warehouse` to `out_file` and return its path."""
    data = read_report_data(str(warehouse))
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(render(data), encoding="utf-8")
    return out_file


def _cell(value: object) -> str:
    """One table cell as escaped text: numbers readable, formulas neutralised."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        text = str(bool(value)).lower()
    elif isinstance(value, numbers.Integral):
        text = f"{value:,}"
    elif isinstance(value, numbers.Real):
        value = float(value)
        text = (
            f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
        )
    elif isinstance(value, pd.Timestamp) and value == value.normalize():
        text = value.strftime("%Y-%m-%d")
    else:
        text = str(value)
        if text.startswith(FORMULA_PREFIXES):
            text = "'" + text
    return html.escape(text)


def _table(frame: pd.DataFrame | None, what: str = "This table") -> str:
    """An HTML table with every cell escaped (exports can hold markup or formulas)."""
    if frame is None:
        return _missing(what)
    if frame.empty:
        return "<p class='empty'>No rows.</p>"
    # Headers read as words (stage_p90_days -> stage p90 days) so they wrap and the table fits.
    head = "".join(f"<th>{_cell(str(c).replace('_', ' '))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<div class='table'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _missing(what: str) -> str:
    return f"<p class='empty'>No data: {html.escape(what)} is not in this warehouse yet.</p>"


class _Page:
    """Collects sections and counts the charts actually drawn (the browser test compares)."""

    def __init__(self) -> None:
        self.sections: list[str] = []
        self.charts_drawn: list[str] = []

    def section(self, title: str, *parts: str) -> None:
        self.sections.append(f"<section><h2>{html.escape(title)}</h2>{''.join(parts)}</section>")

    def chart(
        self,
        div_id: str,
        frame: pd.DataFrame | None,
        figure_of: Callable[[pd.DataFrame], go.Figure],
        caption: str,
        what: str,
    ) -> str:
        """The chart with its one-line caption, or a "no data" note when there is nothing to draw."""
        if frame is None:
            return _missing(what)
        if frame.empty:
            return f"<p class='empty'>No data: {html.escape(what)} has no rows yet.</p>"
        figure = figure_of(frame)
        figure.update_layout(margin={"l": 60, "r": 20, "t": 60, "b": 60}, height=440, template="plotly_white")
        self.charts_drawn.append(div_id)
        # No Plotly logo: it is the one link on a chart, and the page is meant to need no network.
        fragment = figure.to_html(
            full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False}
        )
        return (
            f"<figure class='chart' data-chart-id='{html.escape(div_id)}'>{fragment}"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )


def _recent_velocity(velocity: pd.DataFrame | None) -> pd.DataFrame | None:
    """The velocity inputs of the latest months, beside the trend (docs/metrics.md; show all four)."""
    if velocity is None or velocity.empty:
        return velocity
    recent = velocity.sort_values("window_start").groupby("source_system").tail(RECENT_MONTHS)
    return recent.sort_values(["window_start", "source_system"], ascending=[False, True])


def _sla_hours(mql_sla: pd.DataFrame | None) -> str:
    if mql_sla is None or mql_sla.empty or mql_sla["sla_hours"].isna().all():
        return "24 (default)"
    return f"{mql_sla['sla_hours'].max():g}"


def render(data: ReportData) -> str:
    page = _Page()
    partial = partial_note(data.as_of)
    page.section(
        "Person lifecycle funnel",
        page.chart(
            "person-funnel",
            data.person_funnel,
            charts.person_funnel,
            "Persons who ever reached each lifecycle stage or a later one (a skipped stage is passed through), "
            "all monthly cohorts pooled; the percentage is of those who entered the funnel.",
            "The cohort funnel mart",
        ),
    )
    page.section(
        "Deal pipeline funnel",
        page.chart(
            "deal-funnel",
            data.deal_funnel,
            charts.deal_funnel,
            "Deals that reached each pipeline stage or a later one, all pipelines of a source pooled by "
            "canonical stage; a lost deal is counted as lost at its last open stage, never as reaching later ones.",
            "The cohort funnel mart",
        ),
    )
    page.section(
        "Conversion by segment",
        page.chart(
            "segment-conversion",
            data.segment_conversion,
            charts.segment_conversion,
            "Share of a segment's funnel entrants (all monthly cohorts) that reached customer (persons) or "
            "closed_won (deals); young cohorts are still open, so segments with many recent entrants read low.",
            "The cohort funnel mart",
        ),
    )
    page.section(
        "Bottlenecks",
        page.chart(
            "bottlenecks",
            data.bottleneck_counts,
            charts.bottleneck_counts,
            "In each cohort month the bottleneck is the step whose conversion is furthest below its trailing "
            "baseline (default: previous 3 months); bars count the months each step was it, all segments."
            + partial,
            "The bottleneck mart",
        ),
        "<h3>Latest complete cohort months</h3>",
        _table(data.recent_bottlenecks, "The bottleneck mart"),
    )
    page.section(
        "Pipeline velocity",
        page.chart(
            "velocity-trend",
            data.velocity,
            charts.velocity_trend,
            "Pipeline velocity = open qualified deals × win rate × average deal size ÷ mean sales cycle: the money "
            "the pipeline closes per day, per calendar month; its four inputs for recent months are below."
            + partial,
            "The pipeline velocity mart",
        ),
        "<h3>Velocity inputs, recent complete months</h3>",
        _table(_recent_velocity(data.velocity), "The pipeline velocity mart"),
    )
    page.section(
        "Pipeline by stage",
        page.chart(
            "pipeline-by-stage",
            data.stage_board,
            charts.pipeline_by_stage,
            "Total amount (reporting currency) of the deals open in each stage at the as-of date, all "
            "pipelines pooled by canonical stage (the stage board); hover for the number of open deals.",
            "The stage board mart",
        ),
        _table(data.stage_board, "The stage board mart"),
    )
    page.section(
        "Forecast vs actual",
        page.chart(
            "forecast-vs-actual",
            data.forecast_backtest,
            charts.forecast_vs_actual,
            "At each past month end at least backtest_maturity_days (180) before the as-of date: forecast = Σ "
            "P(won | open in stage) over the deals open then (the historical forecast, from what was known "
            "then); actual = how many of those same deals were won by the as-of date (a deal still open counts "
            "as not won).",
            "The forecast backtest mart",
        ),
        page.chart(
            "forecast-vs-actual-next-month",
            data.forecast_backtest,
            charts.forecast_vs_actual_next_month,
            "At each past month end: forecast = Σ one-month P(won in the next month | stage) over the deals open "
            "then (from earlier month ends); actual = how many of those same deals were won in the following month.",
            "The forecast backtest mart",
        ),
        "<h3>Backtest error per horizon</h3>",
        _table(data.forecast_accuracy, "The forecast backtest accuracy mart"),
        "<p>bias = (expected - actual) / actual wins over the scored month ends (positive: the forecast ran "
        "high); MAPE = mean |expected - actual| / actual over the month ends with a win.</p>",
    )
    page.section(
        "Stale deals",
        page.chart(
            "stale-deals",
            data.stale_reasons,
            charts.stale_deals,
            "Open deals at the as-of date that sit in their stage longer than that stage's historical p90, are "
            "past their expected close date, or have a CRM probability at or below stale_probability (0.05).",
            "The stale deals mart",
        ),
        _table(data.stale_reasons, "The stale deals mart"),
        "<h3>Largest stale deals</h3>",
        _table(data.stale_deals, "The stale deals mart"),
    )
    page.section(
        "Rep performance",
        "<p>The reps with the most revenue to date: leads owned and converted per 100, deals won and lost, win "
        "rate, revenue, deal size, sales cycle and open pipeline (rep performance mart). Reps are named as the "
        "CRM's owner export names them; by their CRM id when it has no name or names are hashed.</p>",
        _table(data.rep_performance, "The rep performance mart"),
    )
    page.section(
        "MQL hand-off SLA",
        page.chart(
            "mql-sla",
            data.mql_sla,
            charts.mql_sla,
            f"Each entry into mql: accepted by sales within {_sla_hours(data.mql_sla)} hours, late, recycled to "
            "lead or disqualified; still waiting at the as-of time it is pending (within the SLA) or breached.",
            "The MQL SLA mart",
        ),
        "<h3>Leads scoring at or above the MQL threshold that never became MQL</h3>",
        _table(data.high_score_never_mql, "The high-score-never-MQL mart"),
    )
    page.section(
        "AIDA and TOFU / MOFU / BOFU",
        page.chart(
            "aida-funnel",
            data.aida,
            charts.aida_funnel,
            "Persons whose furthest lifecycle stage maps (seeded) to each AIDA phase or a later one, all cohort "
            "months pooled; the percentage is of those aware.",
            "The AIDA funnel mart",
        ),
        page.chart(
            "tofu-mofu-bofu",
            data.tofu_mofu_bofu,
            charts.tofu_mofu_bofu_funnel,
            "Persons whose furthest lifecycle stage maps (seeded) to the top, middle or bottom of the funnel or "
            "further down, all cohort months pooled.",
            "The TOFU / MOFU / BOFU mart",
        ),
        page.chart(
            "touch-phases",
            data.touch_phases,
            charts.touch_phases,
            "Every marketing touch counted once, per channel, stacked by the AIDA phase its touch type maps to "
            "(seeded; 'unmapped' when the seed lacks the type).",
            "The touch phases mart",
        ),
    )
    page.section("Staged rows per source", _table(data.staged, "Staging"))
    page.section(
        "Loading: every row accounted for",
        page.chart(
            "reconciliation",
            data.ledger,
            charts.reconciliation,
            "For every file of the latest load run, rows read = rows loaded + rows quarantined: nothing is "
            "dropped silently.",
            "The load ledger",
        ),
        _table(data.ledger, "The load ledger"),
    )
    page.section("Quarantine reasons", _table(data.quarantine, "The quarantine"))
    return _html(page, render_headline(data.headline, data.as_of))


def _html(page: _Page, headline: str) -> str:
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Funnel report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }}
h1 {{ margin-bottom: 0; }} .meta {{ color: #666; }}
figure.chart {{ margin: 1rem 0; }}
/* A table wider than the page scrolls inside its box; a shadow on the right edge shows there is more. */
div.table {{ overflow-x: auto; max-width: 100%;
  background: linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) right / 40px 100% no-repeat local,
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.25), rgba(0,0,0,0)) right / 14px 100% no-repeat scroll; }}
.as-of {{ font-size: 1rem; }}
.tiles {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 0.5rem; margin: 0.5rem 0 1rem; }}
.tiles h3 {{ grid-column: 1 / -1; margin: 0.25rem 0 0; }}
.tile {{ border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.75rem; background: #fafafa; }}
.tile .value {{ font-size: 1.4rem; font-weight: 600; overflow-wrap: anywhere; }}
.tile .label {{ color: #333; font-size: 0.85rem; }} .tile .note {{ color: #777; font-size: 0.75rem; }}
figcaption {{ color: #444; font-size: 0.9rem; }}
table {{ border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }}
th, td {{ border: 1px solid #ddd; padding: 0.25rem 0.4rem; text-align: left; }}
th {{ background: #f4f4f4; vertical-align: bottom; }} .empty {{ color: #888; font-style: italic; }}
</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body data-chart-count="{len(page.charts_drawn)}">
<h1>Funnel report</h1><p class="meta">Generated {generated}; {len(page.charts_drawn)} charts.</p>
<section class="headline" id="headline">{headline}</section>
{"".join(page.sections)}
</body></html>
"""
