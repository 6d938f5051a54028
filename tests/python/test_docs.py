"""`dbt docs generate` succeeds, and every model and every column it builds is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

from orchestration.settings import Settings
from orchestration.warehouse import run_dbt


def test_docs_generate_and_every_model_and_column_is_documented(built_demo: Settings) -> None:
    run_dbt(built_demo, ["docs", "generate", "--quiet"], capture=True)
    target = Path(built_demo.dbt_env()["DBT_TARGET_PATH"])
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())

    undocumented = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model":
            continue
        if not node.get("description", "").strip():
            undocumented.append(unique_id)
        documented = {
            name.lower() for name, col in node["columns"].items() if col.get("description", "").strip()
        }
        built = catalog["nodes"].get(unique_id, {}).get("columns", {})
        assert built, f"{unique_id} is not in the catalog (was it built?)"
        undocumented += [f"{unique_id}.{name}" for name in built if name.lower() not in documented]
    assert undocumented == []


def test_the_readme_lists_exactly_the_published_marts() -> None:
    """The README's "What you get" table names every model of the marts schema (what the published
    BI copy holds) and nothing else."""
    project = Path(__file__).resolve().parents[2]
    readme = (project / "README.md").read_text()
    table = readme[readme.index("| area | marts |") :].split("\n\n", 1)[0]
    listed = set(re.findall(r"`((?:fct|dim)_\w+)`", table))
    marts = {path.stem for path in (project / "models" / "marts").rglob("*.sql")}
    assert sorted(marts - listed) == [], "marts the README does not list"
    assert sorted(listed - marts) == [], "the README lists tables that are not marts"


def test_the_project_carries_its_own_definitions() -> None:
    """docs/metrics.md defines every published mart, and nothing in the repository points at a design
    note outside it (the README, YAML, SQL and docs say docs/metrics.md)."""
    project = Path(__file__).resolve().parents[2]
    metrics = (project / "docs" / "metrics.md").read_text()
    marts = {path.stem for path in (project / "models" / "marts").rglob("*.sql")}
    assert sorted(mart for mart in marts if f"`{mart}`" not in metrics) == [], "marts docs/metrics.md omits"
    outside = re.compile(r"semantics\.md|\.\./shared|\(semantics[,:;)]|see semantics\b")
    pointing_out = []
    for folder in (
        "models",
        "macros",
        "seeds",
        "analyses",
        "tests/dbt",
        "orchestration",
        "simulator",
        "docs",
    ):
        for path in (project / folder).rglob("*"):
            if path.suffix in (".sql", ".yml", ".yaml", ".md", ".py") and outside.search(path.read_text()):
                pointing_out.append(str(path.relative_to(project)))
    for name in ("README.md", "dbt_project.yml"):
        if outside.search((project / name).read_text()):
            pointing_out.append(name)
    assert pointing_out == []
    linked = set(re.findall(r"\]\((docs/[\w./-]+?)(?:#[\w-]+)?\)", (project / "README.md").read_text()))
    assert "docs/metrics.md" in linked
    assert sorted(link for link in linked if not (project / link).exists()) == []
