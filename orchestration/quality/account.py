"""What `funnel check` prints: every expectation's result, grouped by suite (one suite per checked
table), each suite opened by a line with its counts, each expectation on one line (status,
expectation, column, observed figure, bounds), and a failed one followed by its full description (the
failing values and the ids of their rows). The offline HTML of the results (results_page.py) shows the
same words, so what the terminal says and what the page says never differ."""

from __future__ import annotations

from itertools import groupby

from .results import Outcome, QualityReport

PASS, FAIL, WARN = "pass", "FAIL", "warn"  # FAIL in capitals: the one that stops the publish


def suite_of(outcome: Outcome) -> str:
    """The suite an expectation belongs to, as its Data Docs name it: layer.table."""
    return f"{outcome.spec.layer}.{outcome.spec.table.split('.')[-1]}"


def status(outcome: Outcome) -> str:
    if outcome.success:
        return PASS
    return FAIL if outcome.spec.severity == "error" else WARN


def column_of(outcome: Outcome) -> str:
    """The checked column(s), or "(table)" for an expectation on the table as a whole (row count)."""
    return ", ".join(outcome.spec.columns) or "(table)"


def figure(outcome: Outcome) -> str:
    """The observed figure: the value a whole-table expectation measured, or how many rows failed
    a row-wise one, of how many; the error when it could not run."""
    details = outcome.details
    if "exception" in details:
        return f"could not run: {details['exception']}"
    if "observed_value" in details:
        return f"observed {_number(details['observed_value'])}"
    failing, rows = details.get("unexpected_count"), details.get("element_count")
    if failing is None or rows is None:
        return "no figure reported"
    return f"{_number(failing)} of {_number(rows)} rows fail"


def bounds(outcome: Outcome) -> str:
    """The bounds a between-expectation was held to, as validated (settings and the row-count band
    resolved): what tells a row count's error band (no fewer than) from its warning band (no more)."""
    low, high = outcome.kwargs.get("min_value"), outcome.kwargs.get("max_value")
    if low is not None and high is not None:
        return f"expected {_number(low)} to {_number(high)}"
    if low is not None:
        return f"expected {_number(low)} or more"
    if high is not None:
        return f"expected {_number(high)} or less"
    return ""


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"


def suites(report: QualityReport) -> list[tuple[str, list[Outcome]]]:
    """(suite, its outcomes in the suites' order) per suite, in the order they ran."""
    return [(name, list(group)) for name, group in groupby(report.outcomes, key=suite_of)]


def suite_line(name: str, outcomes: list[Outcome]) -> str:
    counts = {s: sum(status(o) == s for o in outcomes) for s in (PASS, FAIL, WARN)}
    line = f"{name}: {counts[PASS]} of {len(outcomes)} passed"
    if counts[FAIL]:
        line += f", {counts[FAIL]} failed"
    if counts[WARN]:
        line += f", {counts[WARN]} warning(s)"
    return line


def expectation_line(outcome: Outcome) -> str:
    line = f"  {status(outcome)}  {outcome.spec.expectation}  {column_of(outcome)}  {figure(outcome)}"
    return f"{line}, {bounds(outcome)}" if bounds(outcome) else line


def account(report: QualityReport) -> list[str]:
    """Every line `funnel check` prints, in order; the last lines are the totals and where the HTML is."""
    lines = []
    for name, outcomes in suites(report):
        lines.append(suite_line(name, outcomes))
        for outcome in outcomes:
            lines.append(expectation_line(outcome))
            if not outcome.success:
                lines.append(f"      {outcome.describe()}")
    lines.append(report.summary().splitlines()[0])  # the total: N of M expectations passed, ...
    if report.results_html:
        lines.append(f"Results (opens offline): {report.results_html}")
    if report.data_docs_index:
        lines.append(
            f"Great Expectations Data Docs (styles load from the internet): {report.data_docs_index}"
        )
    return lines
