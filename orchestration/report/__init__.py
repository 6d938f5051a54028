"""The funnel report: one self-contained HTML file (Plotly inlined, opens offline)."""

from orchestration.report.build import build_report

__all__ = ["build_report"]
