"""What dbt's run_results.json says about a build: where the time went."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TOP_MODELS = 10


def summarise_run_results(target_path: Path, top: int = TOP_MODELS) -> dict[str, Any]:
    """Node counts and summed execution seconds per resource type, and the slowest models.

    Seconds are summed over nodes; with several dbt threads they overlap, so the sums can exceed
    the build's wall time. They say which kind of node dominates, not how long the build took.
    """
    results_file = target_path / "run_results.json"
    if not results_file.exists():
        return {}
    results = json.loads(results_file.read_text())["results"]
    by_type: dict[str, dict[str, float]] = {}
    models = []
    for result in results:
        resource = result["unique_id"].split(".", 1)[0]
        entry = by_type.setdefault(resource, {"nodes": 0, "seconds": 0.0})
        entry["nodes"] += 1
        entry["seconds"] = round(entry["seconds"] + (result.get("execution_time") or 0.0), 3)
        if resource == "model":
            models.append((result["unique_id"].split(".")[-1], round(result.get("execution_time") or 0.0, 3)))
    models.sort(key=lambda item: item[1], reverse=True)
    return {
        "by_resource_type": by_type,
        "slowest_models": [{"model": name, "seconds": seconds} for name, seconds in models[:top]],
        "failed": [r["unique_id"] for r in results if r["status"] in ("error", "fail", "runtime error")],
    }
