"""The pipeline never imports the simulator (issue #17).

`simulator/` is the test-data generator and oracle: it simulates a company, writes its exports and
the truth the tests check the warehouse against. The pipeline (`orchestration/`) must run without
it, so only two places may import it: the `funnel generate` command, lazily inside its function
(the demo-data tool `make run` uses), and the benchmarks (`orchestration/bench/`). The rule is read
from the source with `ast`, so an import that no test happens to execute is caught too.
"""

from __future__ import annotations

import ast
import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGE = "simulator"
ORCHESTRATION = PROJECT_DIR / "orchestration"
# Where the pipeline may import the simulator: a whole folder, or named functions of one file.
ALLOWED_FOLDERS = ("orchestration/bench/",)
ALLOWED_FUNCTIONS = {"orchestration/cli.py": frozenset({"generate"})}
# The reference data the simulator ships (simulator/data/) and the pipeline file each copies.
SHIPPED_COPIES = {
    "fx_rates.csv": "seeds/fx_rates.csv",
    "customer_segments.csv": "seeds/customer_segments.csv",
    "generic.yml": "mappings/generic.yml",
}


def _names_the_simulator(module: str | None) -> bool:
    return module is not None and (module == PACKAGE or module.startswith(PACKAGE + "."))


def simulator_imports(source: str, path: str, allowed_functions: frozenset[str] = frozenset()) -> list[str]:
    """Every import of the simulator in `source` as "path:line: statement", except the ones inside
    a function (at any depth) named in `allowed_functions`. Counts `import simulator[.x]`,
    `from simulator[.x] import ...` and `importlib.import_module` / `__import__` of a literal name."""
    found: list[str] = []

    def visit(node: ast.AST, functions: tuple[str, ...]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions = (*functions, node.name)
        hit = False
        if isinstance(node, ast.Import):
            hit = any(_names_the_simulator(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            hit = node.level == 0 and _names_the_simulator(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            hit = (
                name in ("import_module", "__import__")
                and bool(node.args)
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and _names_the_simulator(node.args[0].value)
            )
        if hit and not allowed_functions.intersection(functions):
            found.append(f"{path}:{node.lineno}: {ast.get_source_segment(source, node)}")
        for child in ast.iter_child_nodes(node):
            visit(child, functions)

    visit(ast.parse(source, filename=path), ())
    return found


def pipeline_violations() -> list[str]:
    found: list[str] = []
    files = sorted(ORCHESTRATION.rglob("*.py"))
    assert len(files) > 20, f"expected the pipeline's modules under {ORCHESTRATION}"
    for file in files:
        rel = file.relative_to(PROJECT_DIR).as_posix()
        if rel.startswith(ALLOWED_FOLDERS):
            continue
        found += simulator_imports(
            file.read_text(encoding="utf-8"), rel, ALLOWED_FUNCTIONS.get(rel, frozenset())
        )
    return found


def test_the_pipeline_never_imports_the_simulator() -> None:
    violations = pipeline_violations()
    assert violations == [], (
        "orchestration/ imports the simulator outside `funnel generate` and orchestration/bench/:\n"
        + "\n".join(violations)
    )


def test_the_check_reports_each_kind_of_import_with_its_file_and_line() -> None:
    source = "\n".join(
        [
            "import simulator",  # 1
            "from simulator.api import CHUNK_PERSONS",  # 2
            "import os, simulator.render as r",  # 3
            "import simulators_elsewhere",  # 4: another package
            "def load():",  # 5
            "    from simulator import generate",  # 6: a function, but not an allowed one
            "def generate():",  # 7
            "    from simulator import generate",  # 8: allowed below
            "    def on_step():",  # 9
            "        import simulator.fx",  # 10: nested in generate: allowed too
            "importlib.import_module('simulator.truth')",  # 11
            "from .simulator import x",  # 12: a relative import is a sibling module, not the package
        ]
    )
    found = simulator_imports(source, "orchestration/x.py", frozenset({"generate"}))
    assert found == [
        "orchestration/x.py:1: import simulator",
        "orchestration/x.py:2: from simulator.api import CHUNK_PERSONS",
        "orchestration/x.py:3: import os, simulator.render as r",
        "orchestration/x.py:6: from simulator import generate",
        "orchestration/x.py:11: importlib.import_module('simulator.truth')",
    ]
    # With no function allowed (every file but cli.py), the imports inside generate count as well.
    assert [f.split(":")[1] for f in simulator_imports(source, "orchestration/x.py")] == [
        "1",
        "2",
        "3",
        "6",
        "8",
        "10",
        "11",
    ]


def test_the_check_fails_the_pipeline_on_a_module_level_import(tmp_path: Path, monkeypatch) -> None:
    """The real walk over a copy of orchestration/ with one offending line added to cli.py."""
    copy = tmp_path / "orchestration"
    for file in ORCHESTRATION.rglob("*.py"):
        target = copy / file.relative_to(ORCHESTRATION)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
    cli = copy / "cli.py"
    cli.write_text(cli.read_text(encoding="utf-8") + "\nimport simulator\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ORCHESTRATION", copy)
    monkeypatch.setattr(sys.modules[__name__], "PROJECT_DIR", tmp_path)
    lines = len(cli.read_text(encoding="utf-8").splitlines())
    assert f"orchestration/cli.py:{lines}: import simulator" in pipeline_violations()


def test_importing_the_cli_does_not_import_the_simulator() -> None:
    code = "import sys, orchestration.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'simulator'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_DIR
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", sorted(SHIPPED_COPIES))
def test_the_simulator_ships_unchanged_copies_of_the_pipeline_reference_data(name: str) -> None:
    """The simulator reads its FX rates, segment bands and generic mapping from simulator/data/, not
    from the repository; the truth is only right while they equal the pipeline's own files."""
    shipped = PROJECT_DIR / PACKAGE / "data" / name
    original = PROJECT_DIR / SHIPPED_COPIES[name]
    assert filecmp.cmp(shipped, original, shallow=False), (
        f"{shipped.relative_to(PROJECT_DIR)} differs from {SHIPPED_COPIES[name]}: copy the pipeline's file "
        "over it (the simulator's truth must use the same reference data as the warehouse)"
    )


def test_the_simulator_ships_no_unguarded_data() -> None:
    shipped = sorted(p.name for p in (PROJECT_DIR / PACKAGE / "data").iterdir() if p.is_file())
    assert shipped == sorted(SHIPPED_COPIES)
