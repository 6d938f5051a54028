"""The project's own page of a quality run's results: one HTML file with its styles inline and no
script, so it opens offline, from a file, anywhere. Great Expectations' Data Docs load Bootstrap,
jQuery and Font Awesome from public CDNs (the GE package does not ship them), so offline they show
unstyled and their validation list stays empty; this page does not depend on them.

It says what `funnel check` prints (account.py), in a table per suite, plus what was expected (the
expectation's arguments) and the failing values with the ids of their rows."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from .account import bounds, column_of, figure, status, suite_line, suites
from .results import Outcome, QualityReport

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1f2933; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; table-layout: fixed; }
col.narrow { width: 7%; } col.name { width: 26%; } col.column { width: 12%; } col.figure { width: 13%; }
th, td { text-align: left; padding: 0.35rem 0.6rem; overflow-wrap: anywhere; border-bottom: 1px solid #d9dee3; vertical-align: top; }
th { background: #f3f5f7; }
.pass { color: #1e7b34; font-weight: 600; } .FAIL { color: #b42318; font-weight: 700; }
.warn { color: #a15c07; font-weight: 700; }
code { font-size: 0.85rem; word-break: break-word; }
.scroll { overflow-x: auto; }
"""


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _expected(outcome: Outcome) -> str:
    """What the expectation was held to: its bounds, or its other arguments (the column is shown apart)."""
    rest = {k: v for k, v in outcome.kwargs.items() if k not in ("column", "column_list")}
    return (
        escape(bounds(outcome)) if bounds(outcome) else f"<code>{escape(_json(rest))}</code>" if rest else ""
    )


def _failing(details: dict[str, Any]) -> str:
    """The failing values (and their rows' ids) GE reported, as short code blocks."""
    parts = []
    if details.get("partial_unexpected_list"):
        parts.append(f"values: <code>{escape(_json(details['partial_unexpected_list']))}</code>")
    if details.get("partial_unexpected_index_list"):
        parts.append(f"rows: <code>{escape(_json(details['partial_unexpected_index_list']))}</code>")
    return "<br>".join(parts)


def render(report: QualityReport, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    total = report.summary().splitlines()[0]
    sections = []
    for name, outcomes in suites(report):
        rows = "".join(
            f'<tr><td class="{status(o)}">{status(o)}</td><td>{escape(o.spec.expectation)}</td>'
            f"<td>{escape(column_of(o))}</td><td>{_expected(o)}</td>"
            f"<td>{escape(figure(o))}</td><td>{_failing(o.details)}</td><td>{escape(o.spec.severity)}</td></tr>"
            for o in outcomes
        )
        sections.append(
            f'<h2 id="{escape(name)}">{escape(suite_line(name, outcomes))}</h2><div class="scroll"><table>'
            '<colgroup><col class="narrow"><col class="name"><col class="column"><col class="figure">'
            '<col class="figure"><col><col class="narrow"></colgroup>'
            "<tr><th>result</th><th>expectation</th><th>column</th><th>expected</th><th>observed</th>"
            f"<th>failing values</th><th>severity</th></tr>{rows}</table></div>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Quality checks</title>"
        f"<style>{STYLE}</style></head><body><h1>Quality checks</h1>"
        f"<p>{escape(total)}. Run at {now:%Y-%m-%d %H:%M} UTC. A <span class=FAIL>FAIL</span> "
        "(error severity) stops the publish; a <span class=warn>warn</span> is reported only.</p>"
        f"{''.join(sections)}</body></html>"
    )


def write_results_page(report: QualityReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report), encoding="utf-8")
    return path
