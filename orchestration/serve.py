"""`funnel ui`: the Dagster webserver and daemon, the two processes a deployment runs as services
(deploy/systemd), started together on 127.0.0.1 and stopped together.

`dagster dev` is superseded (Dagster 1.13 points to `dg dev`, a separate CLI package that needs a
`dg` project layout); both run these same two processes. Here they are started directly, in a
process group of their own: a stop signal (Ctrl-C, SIGTERM, SIGHUP) reaches this process, which
asks each child to shut down the way both handle cleanly (SIGINT: uvicorn's graceful shutdown, the
daemon's interrupt capture), waits, then ends whatever is left of the group (their code servers).
A signal the shell set to "ignore" (a job started with `&`) is handled all the same.

`python -m orchestration.serve` only prepares (DAGSTER_HOME's dagster.yaml and storage, the dbt manifest): the
step a service runs before starting the webserver and the daemon.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from orchestration.settings import Settings

HOST = "127.0.0.1"
CODE_LOCATION = ("-m", "orchestration.definitions")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 20.0  # for the webserver and the daemon to stop their code servers and exit
KILL_AFTER_SECONDS = 5.0  # for what is left of the group after SIGTERM, before SIGKILL
POLL_SECONDS = 0.2


def prepare(settings: Settings) -> None:
    """What the code location needs before Dagster loads it: the instance settings in DAGSTER_HOME,
    its storage created, and a dbt manifest parsed from the project as it is now."""
    from dagster import DagsterInstance

    from orchestration.warehouse.manifest import ensure_manifest

    settings.export_to_environment()
    # Opening the instance creates its SQLite storage (tables and alembic stamp) once, here. Left
    # to the webserver and the daemon, both would create it at the same moment on a fresh
    # DAGSTER_HOME, and the loser exits with "table alembic_version already exists".
    with DagsterInstance.get():
        pass
    ensure_manifest(settings)


def commands(port: int, host: str = HOST) -> list[list[str]]:
    """The webserver and the daemon of this virtualenv, loading the project's code location."""
    bin_dir = Path(sys.executable).parent
    return [
        [str(bin_dir / "dagster-webserver"), "-h", host, "-p", str(port), *CODE_LOCATION],
        [str(bin_dir / "dagster-daemon"), "run", *CODE_LOCATION],
    ]


def serve(argvs: Sequence[Sequence[str]], say: Callable[[str], None] = print) -> int:
    """Run the processes until a stop signal (exit code 0 once all of the group ended) or until
    one of them exits by itself (the others are stopped; exit code 1)."""
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    # Installed before the children start: a handled signal is reset to the default in a child,
    # an ignored one would be inherited.
    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    children: list[subprocess.Popen] = []
    ended: list[subprocess.Popen] = []  # what exited by itself, before any stop
    try:
        for argv in argvs:
            group = children[0].pid if children else 0  # the first child's pid names the group
            children.append(subprocess.Popen(list(argv), process_group=group))
        while not received:
            ended = [child for child in children if child.poll() is not None]
            if ended:
                break
            time.sleep(POLL_SECONDS)
    finally:
        killed = stop(children) if children else 0
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if killed:
        say(f"{killed} process(es) did not stop in time and were killed")
    if received:
        return 0
    first = ended[0]
    say(f"{Path(first.args[0]).name} exited with code {first.returncode}; the others were stopped")
    return 1


def stop(children: Sequence[subprocess.Popen]) -> int:
    """Stop the children, then what is left of their process group (the webserver leaves its code
    server to notice by heartbeat, within 20 s: it is ended at once instead). Returns how many
    processes had to be killed."""
    group = children[0].pid
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
    killed = []
    if group_members(group):
        _signal_group(group, signal.SIGTERM)
        deadline = time.monotonic() + KILL_AFTER_SECONDS
        while group_members(group) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        killed = group_members(group)
        if killed:
            _signal_group(group, signal.SIGKILL)
    for child in children:
        child.wait()
    return len(killed)


def group_members(group: int) -> list[int]:
    """Live processes (not zombies) of a process group, from /proc (Linux); elsewhere whether the
    group exists at all."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    members = []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                # The command name is in parentheses and may hold spaces: fields follow the last ')'.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # ended meanwhile
            state, pgrp = fields[0], int(fields[2])
            if pgrp == group and state != "Z":
                members.append(int(entry.name))
    return members


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


if __name__ == "__main__":  # pragma: no cover - the service's preparing step (deploy/systemd)
    prepare(Settings.from_env())
