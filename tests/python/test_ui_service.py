"""`funnel ui` stops cleanly on SIGTERM and SIGINT, even started as a background job (SIGINT
ignored), leaving no process behind; the systemd units in deploy/ run real commands with real flags
and settings the project reads."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_DIR

DEPLOY = PROJECT_DIR / "deploy" / "systemd"
UNITS = ("funnel-prepare.service", "funnel-dagster-webserver.service", "funnel-dagster-daemon.service")
VENV_IN_UNITS = "/opt/funnel/.venv"
ETC_IN_UNITS = "/etc/funnel/"
NOT_FUNNEL_SETTINGS = {"DBT_LOG_PATH"}  # dbt's own variable
STARTUP_SECONDS = 300  # the webserver and the daemon each load the code location; this machine is busy
STOP_SECONDS = 30  # by design at most serve.GRACE_SECONDS + KILL_AFTER_SECONDS (25 s); 11-19 s measured here


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a live process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1]), int(fields[2])


def _descendants(root: int) -> set[int]:
    """Every live process below `root`, and every process of its children's process groups."""
    stats = {int(p.name): _proc_stat(int(p.name)) for p in Path("/proc").iterdir() if p.name.isdigit()}
    stats = {pid: stat for pid, stat in stats.items() if stat and stat[0] != "Z"}
    found, frontier = set(), {root}
    while frontier:
        children = {pid for pid, stat in stats.items() if stat[1] in frontier} - found
        found |= children
        frontier = children
    groups = {stats[pid][2] for pid in found if pid in stats}
    return found | {pid for pid, stat in stats.items() if stat[2] in groups}


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if (stat := _proc_stat(pid)) and stat[0] != "Z"}


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_funnel_ui_stops_on_a_signal_and_leaves_no_process(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "FUNNEL_PROJECT_DIR": str(PROJECT_DIR),
        "FUNNEL_WAREHOUSE": str(tmp_path / "funnel.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "FUNNEL_PII_SALT": "test-salt-0123456789",
    }
    funnel = Path(sys.executable).with_name("funnel")
    log = (tmp_path / "ui.log").open("w")
    # As a shell starts a background job: SIGINT ignored (the report: `funnel ui &` ignored Ctrl-C
    # and SIGTERM alike).
    ui = subprocess.Popen(
        ["sh", "-c", f'trap "" INT; exec "{funnel}" ui --port {port}'], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert ui.poll() is None, (tmp_path / "ui.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the UI did not answer in time"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(1)
        started = _descendants(ui.pid)
        commands = " ".join(Path(f"/proc/{pid}/cmdline").read_text() for pid in _alive(started))
        assert "dagster-webserver" in commands and "dagster-daemon" in commands
        assert "dagster dev" not in commands.replace("\0", " ")

        stopping = time.monotonic()
        ui.send_signal(stop_signal)
        code = ui.wait(timeout=STOP_SECONDS + 30)
        took = time.monotonic() - stopping
    finally:
        if ui.poll() is None:  # a failed assertion: leave nothing running
            for pid in _descendants(ui.pid):
                os.kill(pid, signal.SIGKILL)
            ui.kill()
            ui.wait()
    output = (tmp_path / "ui.log").read_text()
    assert code == 0, output[-3000:]
    assert took < STOP_SECONDS, took
    assert _alive(started) == set(), [Path(f"/proc/{p}/cmdline").read_text() for p in _alive(started)]
    assert "did not stop in time" not in output
    print(f"{stop_signal.name}: stopped in {took:.1f} s")


def _unit(name: str) -> dict[str, list[str]]:
    """`Section.Key` -> every value (systemd repeats keys such as EnvironmentFile)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, value = line.split("=", 1)
        values.setdefault(f"{section}.{key}", []).append(value)
    return values


def _options_in_help(command: list[str]) -> set[str]:
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", done.stdout))


def test_the_units_start_real_commands_with_flags_they_accept() -> None:
    venv_bin = Path(sys.executable).parent
    starts = {name: _unit(name)["Service.ExecStart"] for name in UNITS}
    assert all(len(lines) == 1 for lines in starts.values()), starts
    argvs = {name: lines[0].split() for name, lines in starts.items()}

    webserver = argvs["funnel-dagster-webserver.service"]
    daemon = argvs["funnel-dagster-daemon.service"]
    prepare = argvs["funnel-prepare.service"]
    assert webserver[0] == f"{VENV_IN_UNITS}/bin/dagster-webserver"
    assert daemon[:2] == [f"{VENV_IN_UNITS}/bin/dagster-daemon", "run"]
    assert prepare == [f"{VENV_IN_UNITS}/bin/python", "-m", "orchestration.serve"]
    assert webserver[webserver.index("-h") + 1] == "127.0.0.1"
    for argv in (webserver, daemon):
        assert argv[argv.index("-m") + 1] == "orchestration.definitions"
        subcommand = argv[1:2] if argv is daemon else []  # `dagster-daemon run`
        accepted = _options_in_help([str(venv_bin / Path(argv[0]).name), *subcommand])
        flags = {arg for arg in argv[1:] if arg.startswith("-")}
        assert flags <= accepted, flags - accepted
    # The preparing module is the one `funnel ui` uses, runnable with -m.
    serve_source = (PROJECT_DIR / "orchestration" / "serve.py").read_text()
    assert 'if __name__ == "__main__":' in serve_source and "prepare(Settings.from_env())" in serve_source
    # The code location loads only after it is prepared, and both services need the same files.
    for name in ("funnel-dagster-webserver.service", "funnel-dagster-daemon.service"):
        unit = _unit(name)
        assert unit["Unit.Requires"] == ["funnel-prepare.service"]
        assert "funnel-prepare.service" in unit["Unit.After"][0].split()
    files = {name: _unit(name)["Service.EnvironmentFile"] for name in UNITS}
    assert all(f == [f"{ETC_IN_UNITS}funnel.env", f"{ETC_IN_UNITS}secret.env"] for f in files.values()), files


def test_the_units_environment_is_what_the_project_reads_and_holds_no_secret() -> None:
    settings_source = (PROJECT_DIR / "orchestration" / "settings.py").read_text()
    names = []
    for line in (DEPLOY / "funnel.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            assert value and " " not in value, line
            names.append(name)
    unknown = [n for n in names if f'"{n}"' not in settings_source and n not in NOT_FUNNEL_SETTINGS]
    assert unknown == []
    assert {"FUNNEL_PROJECT_DIR", "DAGSTER_HOME", "FUNNEL_WAREHOUSE", "FUNNEL_LANDING_DIR"} <= set(names)
    for path in DEPLOY.iterdir():
        assert "FUNNEL_PII_SALT" not in path.read_text(), path  # only in secret.env, never shipped
    readme = (PROJECT_DIR / "README.md").read_text()
    for name in (*UNITS, "funnel.env", "secret.env"):
        assert name in readme, name


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify` on the units with this checkout's virtualenv and env files: unknown
    keys, bad values and commands that are not executable are reported."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    venv = Path(sys.executable).parent.parent
    shutil.copyfile(DEPLOY / "funnel.env", tmp_path / "funnel.env")
    (tmp_path / "secret.env").write_text("FUNNEL_PII_SALT=test-salt-0123456789\n")
    for name in UNITS:
        text = (
            (DEPLOY / name)
            .read_text()
            .replace(VENV_IN_UNITS, str(venv))
            .replace(ETC_IN_UNITS, f"{tmp_path}/")
        )
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr


def _running(command_line: str) -> list[int]:
    wanted = command_line.replace(" ", "\0") + "\0"
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_text() == wanted and _alive({int(entry.name)}):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_stop_signal_ends_the_whole_group_even_what_ignores_sigint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that ignores SIGINT and its own child (as a code server the webserver leaves behind)
    are ended by SIGTERM to the group after the grace; the stop still counts as clean."""
    import threading

    from orchestration import serve

    monkeypatch.setattr(serve, "GRACE_SECONDS", 1.0)
    said: list[str] = []
    before = signal.getsignal(signal.SIGTERM)  # whatever this test process had (another test may set one)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    code = serve.serve([["sh", "-c", 'trap "" INT; sleep 3001 & wait'], ["sleep", "3002"]], say=said.append)
    assert code == 0 and said == []
    assert time.monotonic() - started < 10
    assert _running("sleep 3001") == [] and _running("sleep 3002") == []
    assert signal.getsignal(signal.SIGTERM) == before  # the caller's own handling is back


def test_a_child_that_exits_stops_the_others_with_exit_code_1() -> None:
    from orchestration import serve

    said: list[str] = []
    started = time.monotonic()
    code = serve.serve([["sleep", "3003"], ["sh", "-c", "exit 3"]], say=said.append)
    assert code == 1
    assert said == ["sh exited with code 3; the others were stopped"]
    assert time.monotonic() - started < 10
    assert _running("sleep 3003") == []


def test_prepare_creates_the_instance_storage_before_the_webserver_and_daemon_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a fresh DAGSTER_HOME the webserver and the daemon would each create the SQLite storage at
    the same moment, and the loser exits ("table alembic_version already exists"): prepare creates it
    first, so both only open it."""
    import sqlite3

    from conftest import settings_in

    from orchestration import serve

    monkeypatch.setattr(os, "environ", dict(os.environ))  # prepare exports the settings
    monkeypatch.setattr("orchestration.warehouse.manifest.ensure_manifest", lambda settings: None)
    settings = settings_in(tmp_path)
    serve.prepare(settings)
    databases = sorted(
        path.relative_to(settings.dagster_home).as_posix() for path in settings.dagster_home.rglob("*.db")
    )
    assert databases == ["history/runs.db", "history/runs/index.db", "schedules/schedules.db"]
    for database in databases:
        with sqlite3.connect(settings.dagster_home / database) as connection:
            assert connection.execute("select count(*) from alembic_version").fetchone() == (1,), database
