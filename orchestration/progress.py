"""Progress bars for the CLI's long steps.

They draw on stderr, and only on a terminal: piped into a file or run by CI (not a TTY), or with
`funnel --quiet`, they draw nothing, so logs stay clean and stdout stays for results.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


def progress_console(quiet: bool = False) -> Console:
    """The console progress bars draw on: stderr, silent with --quiet."""
    return Console(stderr=True, quiet=quiet)


def shows_progress(console: Console) -> bool:
    return console.is_terminal and not console.quiet


def step_progress(console: Console, label: str) -> Progress:
    """A bar of `done / total` steps with the current item's name; disabled off a terminal."""
    return Progress(
        SpinnerColumn(),
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", style="dim"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not shows_progress(console),
    )
