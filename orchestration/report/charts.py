"""Plotly figures for the report, one function per chart. Each takes the small aggregate frame
from `data.py` (never empty: build.py shows a "no data" note instead) and returns a figure with
a title and axis labels; build.py turns it into an HTML fragment.

Text that comes from the data (stage, channel, file names) is HTML-escaped before it reaches
Plotly, because Plotly renders a subset of HTML in labels: a label reading `<b>` shows as `<b>`.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go

from orchestration.report.data import WON_STAGE


def _labels(values: pd.Series) -> list[str]:
    return [html.escape(str(value)) for value in values]


def _numbers(values: pd.Series) -> list[float | None]:
    """Floats for Plotly, with missing values as gaps (None), not NaN text."""
    return [None if pd.isna(value) else float(value) for value in values]


def _per_source(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    return [(str(source), rows) for source, rows in frame.groupby("source_system", sort=True)]


def _axes(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, legend_title="source system")
    return figure


def _phase_funnel(
    frame: pd.DataFrame, order_column: str, title: str, y_title: str, x_title: str
) -> go.Figure:
    """Reached per stage or phase, one funnel trace per source system (pass-through: never widens)."""
    figure = go.Figure()
    for source_system, rows in _per_source(frame):
        rows = rows.sort_values(order_column)
        name_column = "stage" if "stage" in rows.columns else "phase"
        figure.add_trace(
            go.Funnel(
                name=html.escape(source_system),
                y=_labels(rows[name_column]),
                x=_numbers(rows["reached"]),
                textinfo="value+percent initial",
            )
        )
    return _axes(figure, title, x_title, y_title)


def person_funnel(frame: pd.DataFrame) -> go.Figure:
    return _phase_funnel(frame, "stage_order", "Persons reaching each stage", "lifecycle stage", "persons")


def deal_funnel(frame: pd.DataFrame) -> go.Figure:
    return _phase_funnel(frame, "stage_order", "Deals reaching each stage", "pipeline stage", "deals")


def aida_funnel(frame: pd.DataFrame) -> go.Figure:
    return _phase_funnel(frame, "phase_order", "Persons reaching each AIDA phase", "AIDA phase", "persons")


def tofu_mofu_bofu_funnel(frame: pd.DataFrame) -> go.Figure:
    return _phase_funnel(
        frame,
        "phase_order",
        "Persons reaching top, middle and bottom of funnel",
        "funnel position",
        "persons",
    )


def _won_stage(entity_type: object) -> str:
    return WON_STAGE.get(str(entity_type), "won")


def percent_axis(top: float) -> dict[str, object]:
    """Ticks for a 0..top share axis: a 1-2-5 step giving about five ticks, shown with as many decimals
    as the step needs, so no two ticks read the same (".0%" on a 0-3% axis read 3%, 2%, 2%, 1%, 1%, 0%)."""
    if not top > 0:
        return {"tickformat": ".0%", "dtick": 0.1, "tick0": 0}
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
    return {"tickformat": f".{decimals}%", "dtick": step, "tick0": 0}


def _share_top(rows: pd.DataFrame) -> float:
    shares = (rows["reached_won"] / rows["entered"]).dropna()
    return float(shares.max()) if len(shares) else 0.0


def segment_conversion(frame: pd.DataFrame) -> go.Figure:
    """Conversion to the first won stage per segment value; a menu switches the segment cut."""
    figure = go.Figure()
    cuts = list(frame.groupby(["entity_type", "segment_type"], sort=False))
    visibility: list[list[bool]] = []
    for index, (_, cut) in enumerate(cuts):
        start = len(figure.data)
        for source_system, rows in _per_source(cut):
            figure.add_trace(
                go.Bar(
                    name=html.escape(source_system),
                    x=_labels(rows["segment_value"]),
                    y=_numbers(rows["reached_won"] / rows["entered"]),
                    customdata=list(
                        zip(_numbers(rows["reached_won"]), _numbers(rows["entered"]), strict=True)
                    ),
                    hovertemplate="%{x}: %{y:.1%} (%{customdata[0]:,.0f} of %{customdata[1]:,.0f})",
                    visible=index == 0,
                    legendgroup=html.escape(source_system),
                )
            )
        visibility.append([start <= trace < len(figure.data) for trace in range(len(figure.data))])
    total = len(figure.data)
    buttons = []
    for ((entity_type, segment_type), cut), visible in zip(cuts, visibility, strict=True):
        label = f"{entity_type}s → {_won_stage(entity_type)} by {segment_type}"
        mask = visible + [False] * (total - len(visible))
        axis_title = f"share of {entity_type}s reaching {_won_stage(entity_type)}"
        ticks = {f"yaxis.{key}": value for key, value in percent_axis(_share_top(cut)).items()}
        buttons.append(
            {
                "label": html.escape(label),
                "method": "update",
                "args": [{"visible": mask}, {"yaxis.title.text": html.escape(axis_title), **ticks}],
            }
        )
    first_entity = cuts[0][0][0]
    _axes(
        figure,
        "Conversion to won by segment",
        "segment value (use the menu to change the cut)",
        html.escape(f"share of {first_entity}s reaching {_won_stage(first_entity)}"),
    )
    figure.update_yaxes(rangemode="tozero", **percent_axis(_share_top(cuts[0][1])))
    figure.update_layout(
        barmode="group",
        updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.15, "yanchor": "top"}],
    )
    return figure


def bottleneck_counts(frame: pd.DataFrame) -> go.Figure:
    """How many cohort months each step was the bottleneck, per source system."""
    figure = go.Figure()
    for source_system, rows in _per_source(frame):
        steps = [f"{entity}: {step}" for entity, step in zip(rows["entity_type"], rows["step"], strict=True)]
        figure.add_trace(
            go.Bar(
                name=html.escape(source_system),
                x=_numbers(rows["months"]),
                y=_labels(pd.Series(steps)),
                orientation="h",
                customdata=_numbers(rows["mean_gap"]),
                hovertemplate="%{y}: %{x} months, mean gap %{customdata:.1%}",
            )
        )
    figure.update_layout(barmode="group", yaxis_autorange="reversed")
    return _axes(figure, "Bottleneck steps: months as the bottleneck", "cohort months", "funnel step")


def velocity_trend(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for source_system, rows in _per_source(frame):
        figure.add_trace(
            go.Scatter(
                name=html.escape(source_system),
                x=_labels(rows["window_start"]),
                y=_numbers(rows["pipeline_velocity"]),
                mode="lines+markers",
            )
        )
    return _axes(figure, "Pipeline velocity per month", "month", "pipeline velocity (money per day)")


def pipeline_by_stage(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for source_system, rows in _per_source(frame):
        rows = rows.sort_values("stage_order")
        figure.add_trace(
            go.Bar(
                name=html.escape(source_system),
                x=_labels(rows["stage"]),
                y=_numbers(rows["total_amount"]),
                customdata=_numbers(rows["open_deals"]),
                hovertemplate="%{x}: %{y:,.0f} in %{customdata:,.0f} open deals",
            )
        )
    figure.update_layout(barmode="group")
    return _axes(figure, "Open pipeline by stage", "pipeline stage", "open amount (reporting currency)")


def _forecast_lines(frame: pd.DataFrame, expected: str, actual: str) -> go.Figure:
    figure = go.Figure()
    for source_system, rows in _per_source(frame):
        name = html.escape(source_system)
        dates = _labels(rows["forecast_date"])
        figure.add_trace(
            go.Scatter(name=f"{name} forecast", x=dates, y=_numbers(rows[expected]), line_dash="dash")
        )
        figure.add_trace(go.Scatter(name=f"{name} actual", x=dates, y=_numbers(rows[actual])))
    return figure


def forecast_vs_actual(frame: pd.DataFrame) -> go.Figure:
    """Eventual wins of the deals open at each mature month end: forecast then vs how many were won."""
    figure = _forecast_lines(frame[frame["is_mature"]], "expected_eventual_wins", "actual_eventual_wins")
    return _axes(
        figure,
        "Forecast vs actual eventual wins (backtest, mature month ends)",
        "forecast made at month end",
        "wins among the deals open then (by the as-of date)",
    )


def forecast_vs_actual_next_month(frame: pd.DataFrame) -> go.Figure:
    """Wins in the following month of the deals open at each month end: one-month forecast vs actual."""
    figure = _forecast_lines(frame, "expected_next_month_wins", "actual_next_month_wins")
    return _axes(
        figure,
        "Forecast vs actual wins in the following month (backtest)",
        "forecast made at month end",
        "wins among the deals open then, in the following month",
    )


STALE_REASON_COLUMNS = {
    "over_stage_p90": "longer in stage than p90",
    "past_expected_close": "past expected close",
    "low_probability": "low probability",
}


def stale_deals(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    reasons = list(STALE_REASON_COLUMNS.values())
    for source_system, rows in _per_source(frame):
        counts = rows[list(STALE_REASON_COLUMNS)].sum()
        figure.add_trace(go.Bar(name=html.escape(source_system), x=reasons, y=_numbers(counts)))
    figure.update_layout(barmode="group")
    return _axes(figure, "Stale open deals by reason", "reason (a deal can have several)", "stale deals")


SLA_STATUS_ORDER = ["accepted", "late", "pending", "breached", "recycled", "disqualified"]


def mql_sla(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    known = [status for status in SLA_STATUS_ORDER if status in set(frame["sla_status"])]
    others = sorted(set(frame["sla_status"].astype(str)) - set(SLA_STATUS_ORDER))
    for status in known + others:
        rows = frame[frame["sla_status"] == status].sort_values("source_system")
        figure.add_trace(
            go.Bar(name=html.escape(status), x=_labels(rows["source_system"]), y=_numbers(rows["mqls"]))
        )
    figure.update_layout(barmode="stack", legend_title="SLA status")
    figure.update_layout(title="MQL hand-off SLA", xaxis_title="source system", yaxis_title="MQL entries")
    return figure


AIDA_PHASE_ORDER = ["awareness", "interest", "desire", "action"]


def touch_phases(frame: pd.DataFrame) -> go.Figure:
    """Touch volume per channel, stacked by the touch type's seeded AIDA phase."""
    figure = go.Figure()
    phases = [phase for phase in AIDA_PHASE_ORDER if phase in set(frame["aida_phase"])]
    phases += sorted(set(frame["aida_phase"].astype(str)) - set(AIDA_PHASE_ORDER))
    for phase in phases:
        rows = frame[frame["aida_phase"] == phase].sort_values("channel")
        figure.add_trace(
            go.Bar(name=html.escape(phase), x=_labels(rows["channel"]), y=_numbers(rows["touches"]))
        )
    figure.update_layout(
        barmode="stack",
        title="Marketing touches by AIDA phase per channel",
        xaxis_title="channel",
        yaxis_title="touches",
        legend_title="AIDA phase",
    )
    return figure


def reconciliation(ledger: pd.DataFrame) -> go.Figure:
    """Rows loaded and quarantined per file: together they are the rows read."""
    files = _labels(ledger["source_file"])
    figure = go.Figure(
        [
            go.Bar(name="loaded", x=files, y=_numbers(ledger["rows_loaded"])),
            go.Bar(name="quarantined", x=files, y=_numbers(ledger["rows_quarantined"])),
        ]
    )
    figure.update_layout(
        barmode="stack",
        title="Rows read per file = loaded + quarantined",
        xaxis_title="export file",
        yaxis_title="rows (log scale)",
        yaxis_type="log",
        legend_title="row outcome",
    )
    return figure
