"""`dbt docs generate` succeeds, and every model and every column it builds is documented."""

from __future__ import annotations

import json
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
