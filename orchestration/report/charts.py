"""Plotly figures for the report. Each returns an HTML fragment without the Plotly library
(the page inlines it once)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def _fragment(figure: go.Figure, div_id: str) -> str:
    figure.update_layout(margin={"l": 40, "r": 20, "t": 50, "b": 40}, height=420, template="plotly_white")
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id)


def funnel_chart(funnel: pd.DataFrame, title: str, div_id: str) -> str:
    """Reached per stage, one funnel trace per source system (pass-through counts never widen)."""
    figure = go.Figure()
    for source_system, rows in funnel.groupby("source_system", sort=True):
        rows = rows.sort_values("stage_order")
        figure.add_trace(
            go.Funnel(
                name=str(source_system),
                y=rows["stage"].astype(str).tolist(),
                x=rows["reached"].astype(float).tolist(),
                textinfo="value+percent initial",
            )
        )
    figure.update_layout(title=title)
    return _fragment(figure, div_id)


def reconciliation_chart(ledger: pd.DataFrame, div_id: str) -> str:
    """Rows loaded and quarantined per file: together they are the rows read."""
    figure = go.Figure(
        [
            go.Bar(name="loaded", x=ledger["source_file"], y=ledger["rows_loaded"]),
            go.Bar(name="quarantined", x=ledger["source_file"], y=ledger["rows_quarantined"]),
        ]
    )
    figure.update_layout(barmode="stack", title="Rows read per file = loaded + quarantined", yaxis_type="log")
    return _fragment(figure, div_id)
