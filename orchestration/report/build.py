"""Render the report: data from the warehouse, charts from Plotly, one HTML file."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from plotly.offline import get_plotlyjs

from orchestration.report import charts
from orchestration.report.data import ReportData, read_report_data


def build_report(warehouse: Path, out_file: Path) -> Path:
    """Write the self-contained report for `warehouse` to `out_file` and return its path."""
    data = read_report_data(str(warehouse))
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(render(data), encoding="utf-8")
    return out_file


def _table(frame: pd.DataFrame) -> str:
    """An HTML table with every cell escaped (exports can hold markup or formulas)."""
    if frame.empty:
        return "<p class='empty'>No rows.</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if pd.isna(v) else str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _missing(what: str) -> str:
    return f"<p class='empty'>{html.escape(what)} is not in this warehouse yet.</p>"


def render(data: ReportData) -> str:
    sections = []
    if data.person_funnel is not None and not data.person_funnel.empty:
        sections.append(
            _section(
                "Person lifecycle funnel",
                charts.funnel_chart(data.person_funnel, "Persons reaching each stage", "person-funnel"),
            )
        )
    else:
        sections.append(_section("Person lifecycle funnel", _missing("The cohort funnel mart")))
    if data.deal_funnel is not None and not data.deal_funnel.empty:
        sections.append(
            _section(
                "Deal pipeline funnel",
                charts.funnel_chart(data.deal_funnel, "Deals reaching each stage", "deal-funnel"),
            )
        )
    sections.append(_section("Staged rows per source", _table(data.staged)))
    if not data.ledger.empty:
        sections.append(
            _section(
                "Loading: every row accounted for",
                charts.reconciliation_chart(data.ledger, "reconciliation") + _table(data.ledger),
            )
        )
    sections.append(_section("Quarantine reasons", _table(data.quarantine)))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Funnel report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }}
h1 {{ margin-bottom: 0; }} .meta {{ color: #666; }}
table {{ border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }}
th, td {{ border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; }}
th {{ background: #f4f4f4; }} .empty {{ color: #888; font-style: italic; }}
</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<h1>Funnel report</h1><p class="meta">Generated {generated}</p>
{"".join(sections)}
</body></html>
"""
