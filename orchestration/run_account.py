"""The short account `funnel run` prints: one line per step of the refresh job as it ends, with
its time and a figure taken from the run itself (never a constant):

- load: files and rows loaded and quarantined (the loader's report, as the load step's metadata);
- dbt build: models, seeds and snapshots built and tests passed (dbt's run_results.json);
- checks: Great Expectations expectations passed (the step's asset check results);
- publish: tables and rows copied (the publish step's metadata); report: the file written.

It is a Dagster logger: it sees the run's events as they happen, in the process that runs them,
whether or not the event log is also printed (`--verbose`)."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import DagsterEventType, LoggerDefinition

ACCOUNT_LOGGER = "funnel_account"
LOAD, DBT, CHECKS, PUBLISH, REPORT = (
    "load_exports",
    "funnel_dbt_models",
    "great_expectations",
    "published_warehouse",
    "funnel_report",
)
LABELS = {LOAD: "load", DBT: "dbt build", CHECKS: "checks", PUBLISH: "publish", REPORT: "report"}
MAX_NOTES_PER_STEP = 5  # a step's warnings beyond these are counted, and stay in the run log
MAX_NOTE_CHARS = 400


@dataclass
class StepLine:
    step: str
    status: str  # done, failed or skipped
    seconds: float | None
    figure: str = ""

    @property
    def label(self) -> str:
        return LABELS.get(self.step, self.step)

    def text(self) -> str:
        what = self.figure if self.status == "done" else self.status
        if self.status != "done" and self.figure:
            what = f"{self.status} ({self.figure})"
        took = f"{self.seconds:6.1f}s" if self.seconds is not None else ""
        return f"  {self.label:<10} {what:<62} {took}".rstrip()


@dataclass
class _Step:
    started: float
    materializations: list[dict[str, Any]] = field(default_factory=list)
    checks: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    hidden_notes: int = 0


def dbt_figure(run_results: Path) -> str:
    """Nodes built and tests passed, by kind, as dbt recorded them."""
    results = json.loads(run_results.read_text())["results"]
    built: Counter = Counter()
    tests: Counter = Counter()
    for result in results:
        kind = result["unique_id"].split(".")[0]
        if kind == "test":
            tests[result["status"]] += 1
        elif kind in ("model", "seed", "snapshot"):
            built[(kind, result["status"])] += 1
    parts = [
        f"{built[(kind, 'success')]:,} {kind}s"
        for kind in ("model", "seed", "snapshot")
        if built[(kind, "success")]
    ]
    figure = f"{', '.join(parts) or 'nothing'} built, {tests['pass']:,} tests passed"
    if tests["warn"]:
        figure += f", {tests['warn']:,} warned"
    failed = tests["fail"] + tests["error"] + sum(n for (_, status), n in built.items() if status == "error")
    if failed:
        figure += f", {failed:,} failed"
    return figure


def find_run_results(target_root: Path, run_id: str) -> Path | None:
    """dagster-dbt gives each invocation its own target folder, `<step>-<run id[:7]>-<uuid>`."""
    found = sorted(
        target_root.glob(f"{DBT}-{run_id[:7]}-*/run_results.json"), key=lambda p: p.stat().st_mtime
    )
    return found[-1] if found else None


class RunAccount:
    """Collects the refresh job's events and calls on_line with each finished step's StepLine,
    on_start with a step's label as it starts (a spinner's text) and on_note with the warnings
    and errors the steps log (a few per step)."""

    def __init__(
        self,
        target_root: Path,
        on_line: Callable[[StepLine], None],
        on_start: Callable[[str], None] | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> None:
        self.target_root = target_root
        self.on_line = on_line
        self.on_start = on_start or (lambda label: None)
        self.on_note = on_note or (lambda note: None)
        self.lines: list[StepLine] = []
        self._done: set[str] = set()  # steps with a line already
        self._steps: dict[str, _Step] = {}
        self._logger = logging.Logger(ACCOUNT_LOGGER, level=logging.DEBUG)
        self._logger.addHandler(_Handler(self))

    def logger_def(self) -> LoggerDefinition:
        return LoggerDefinition(lambda _init_context: self._logger, description="funnel run's account")

    def handle(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        meta = getattr(record, "dagster_meta", None) or {}
        step_key = (event.step_key if event is not None else None) or meta.get("step_key")
        if event is None:
            self._note(step_key, record.levelno, str(meta.get("orig_message", record.getMessage())))
            return
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            self._steps[step_key] = _Step(started=time.monotonic())
            self.on_start(LABELS.get(step_key, step_key))
        elif kind == DagsterEventType.ASSET_MATERIALIZATION and step_key in self._steps:
            metadata = event.event_specific_data.materialization.metadata
            self._steps[step_key].materializations.append({k: v.value for k, v in metadata.items()})
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION and step_key in self._steps:
            evaluation = event.event_specific_data
            outcome = "passed" if evaluation.passed else evaluation.severity.value.lower()
            self._steps[step_key].checks[outcome] += 1
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            self._finish(step_key, "done" if kind == DagsterEventType.STEP_SUCCESS else "failed", meta)
        elif kind == DagsterEventType.STEP_SKIPPED:
            self._skipped(step_key)

    def _skipped(self, step_key: str) -> None:
        if step_key not in self._done:
            self._emit(StepLine(step_key, "skipped", None, "an earlier step failed"))

    def _note(self, step_key: str | None, level: int, message: str) -> None:
        if step_key and step_key not in self._steps and level >= logging.ERROR:
            # A step that never started and logs an error is one Dagster does not run because an
            # earlier one failed ("Dependencies for step ... failed ... Not executing.").
            self._skipped(step_key)
            return
        # dagster-dbt warns about every dbt test it maps to an observation: only the load step's
        # warnings (files deferred or failed) and any step's errors are worth the terminal.
        if level < logging.ERROR and not (level >= logging.WARNING and step_key == LOAD):
            return
        step = self._steps.get(step_key or "")
        if step is not None and len(step.notes) >= MAX_NOTES_PER_STEP:
            step.hidden_notes += 1
            return
        if step is not None:
            step.notes.append(message)
        first_line = message.splitlines()[0] if message else ""
        self.on_note(f"{'error' if level >= logging.ERROR else 'warning'}: {first_line[:MAX_NOTE_CHARS]}")

    def _finish(self, step_key: str, status: str, meta: dict) -> None:
        step = self._steps.get(step_key)
        seconds = time.monotonic() - step.started if step else None
        figure = ""
        try:
            figure = self._figure(step_key, step, meta.get("run_id") or "")
        except Exception as exc:  # noqa: BLE001 - a figure never fails a run; the log says why
            figure = f"no figure ({type(exc).__name__})"
        if step is not None and step.hidden_notes:
            figure += f"; {step.hidden_notes} more warning(s) in the run log"
        self._emit(StepLine(step_key, status, seconds, figure))

    def _figure(self, step_key: str, step: _Step | None, run_id: str) -> str:
        materialized = step.materializations if step else []
        if step_key == LOAD:
            total = Counter()
            for metadata in materialized:
                for name in (
                    "run_files",
                    "run_files_already_loaded",
                    "run_rows_loaded",
                    "run_rows_quarantined",
                ):
                    total[name] += int(metadata.get(name) or 0)
            new_files = total["run_files"] - total["run_files_already_loaded"]
            figure = (
                f"{new_files:,} files, {total['run_rows_loaded']:,} rows loaded, "
                f"{total['run_rows_quarantined']:,} quarantined"
                if new_files
                else "no new files"
            )
            if total["run_files_already_loaded"]:
                figure += f" ({total['run_files_already_loaded']:,} already loaded)"
            return figure
        if step_key == DBT:
            results = find_run_results(self.target_root, run_id)
            return dbt_figure(results) if results else ""
        if step_key == CHECKS and step is not None:
            checks = step.checks
            figure = f"{checks['passed']:,} of {sum(checks.values()):,} expectations passed"
            if checks["warn"]:
                figure += f", {checks['warn']:,} warned"
            return figure
        if step_key == PUBLISH and materialized:
            rows = materialized[-1].get("rows") or {}
            return f"{int(materialized[-1].get('tables') or 0):,} mart tables, {sum(rows.values()):,} rows"
        if step_key == REPORT and materialized:
            return "written"
        return ""

    def _emit(self, line: StepLine) -> None:
        self._done.add(line.step)
        self.lines.append(line)
        self.on_line(line)


class _Handler(logging.Handler):
    def __init__(self, account: RunAccount) -> None:
        super().__init__(level=logging.DEBUG)
        self.account = account

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.account.handle(record)
        except Exception:  # noqa: BLE001 - the account never fails a run; the run log keeps the error
            self.handleError(record)
