"""How every `funnel` command fails: one line `error: <problem>; <fix>` on stderr, exit code 1, or 2
for a usage mistake (a missing argument, an option's bad value). `funnel --debug COMMAND` (or
FUNNEL_DEBUG=1) prints the traceback first. One place for all commands: the command group below
wraps them, so a command body only raises (FunnelError, or whatever it meets) and never formats."""

from __future__ import annotations

import os
import traceback
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from orchestration.errors import one_line

try:  # typer >= 0.2x carries its own copy of click; earlier versions raise click's exceptions
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as click_exceptions

USAGE_EXIT_CODE = 2
_state = {"debug": False}


def set_debug(debug: bool) -> None:
    """Called by the app's options callback (`--debug`) before the command runs."""
    _state["debug"] = debug or _state["debug"]


def print_error(message: str) -> None:
    # Messages quote file names, headers and YAML ("files[1]", "[a, b]"): escaped, not markup; and
    # one line whatever the terminal's width, so it can be grepped and copied.
    Console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


class FunnelGroup(TyperGroup):
    """The `funnel` command group: runs a command and turns whatever it raises into one line."""

    def main(  # type: ignore[override]  # click's signature, with standalone_mode handled here
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        # each invocation starts from the environment (tests invoke the app many times in a process)
        _state["debug"] = os.environ.get("FUNNEL_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0  # an int: the code of an Exit (typer.Exit)
        except click_exceptions.NoArgsIsHelpError:
            code = USAGE_EXIT_CODE  # the help was printed: `funnel` alone asks for it
        except click_exceptions.UsageError as exc:
            code = USAGE_EXIT_CODE
            where = f"; see `{exc.ctx.command_path} --help`" if exc.ctx is not None else ""
            print_error(f"{exc.format_message().rstrip('.')}{where}")
        except typer.Abort:
            code = 130  # Ctrl-C at a prompt or while parsing, as for an interrupted command
            print_error("interrupted")
        except click_exceptions.ClickException as exc:
            code = exc.exit_code
            print_error(exc.format_message())
        except Exception as exc:  # noqa: BLE001 - the one place every command's failure is reported
            code = 1
            if _state["debug"]:
                traceback.print_exception(exc)
            print_error(one_line(exc))
        if standalone_mode:
            raise SystemExit(code)
        return code
