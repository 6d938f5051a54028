"""The dbt DAG runs one way: sources -> staging -> intermediate -> marts, and marts are leaves.

Read from the parsed manifest, so a new model is checked without touching this file:
- only staging models read sources;
- staging reads sources, staging and seeds; intermediate reads staging, intermediate and seeds;
  marts read only intermediate models and seeds (no mart reads a mart or a staging model);
- names say the layer: `stg_<source>__<entity>`, `int_`, and `fct_` / `dim_` in marts (the marts
  schema is what the published BI copy ships).

Every offending edge fails, named reader -> what it reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import settings_in

from orchestration.warehouse import run_dbt

READS = {
    "staging": {"source", "staging", "seed"},
    "intermediate": {"staging", "intermediate", "seed"},
    "marts": {"intermediate", "seed"},
    "semantic": set(),  # the MetricFlow time spine: reads nothing
}
NAMES = {
    "staging": re.compile(r"^stg_[a-z0-9]+__[a-z0-9_]+$"),
    "intermediate": re.compile(r"^int_[a-z0-9_]+$"),
    "marts": re.compile(r"^(fct|dim)_[a-z0-9_]+$"),
    "semantic": re.compile(r"^metricflow_time_spine$"),
}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    settings = settings_in(tmp_path_factory.mktemp("dag"))
    run_dbt(settings, ["parse", "--quiet"], target="duckdb", capture=True)
    return json.loads((Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"]) / "manifest.json").read_text())


def _layer(node: dict) -> str:
    if node["resource_type"] != "model":
        return node["resource_type"]  # seed, snapshot
    return Path(node["original_file_path"]).parts[1]  # models/<layer>/...


def _edges(manifest: dict) -> list[tuple[str, str, str, str]]:
    """(reader, reader's layer, what it reads, that node's layer) for every model's inputs."""
    nodes = manifest["nodes"]
    edges = []
    for node in nodes.values():
        if node["resource_type"] != "model":
            continue
        for upstream in node["depends_on"]["nodes"]:
            if upstream.startswith("source."):
                source = manifest["sources"][upstream]
                edges.append(
                    (node["name"], _layer(node), f"source:{source['source_name']}.{source['name']}", "source")
                )
            elif upstream in nodes:
                edges.append((node["name"], _layer(node), nodes[upstream]["name"], _layer(nodes[upstream])))
    return edges


def test_every_model_reads_only_the_layers_below_it(manifest: dict) -> None:
    offending = {
        (reader, read): f"{reader} ({layer}) reads {read} ({read_layer})"
        for reader, layer, read, read_layer in _edges(manifest)
        if read_layer not in READS[layer]
    }
    assert not offending, "models read a layer they may not:\n" + "\n".join(sorted(offending.values()))


def test_every_model_is_named_for_its_layer(manifest: dict) -> None:
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    misnamed = sorted(f"{n['original_file_path']}" for n in models if not NAMES[_layer(n)].match(n["name"]))
    assert not misnamed, "models named against their layer:\n" + "\n".join(misnamed)
    assert {_layer(n) for n in models} == set(NAMES)


def test_the_check_finds_an_offending_edge() -> None:
    """The rule itself, on a two-model manifest: a mart reading a mart is reported by name."""
    manifest = {
        "sources": {},
        "nodes": {
            "model.p.fct_a": {
                "name": "fct_a",
                "resource_type": "model",
                "original_file_path": "models/marts/x/fct_a.sql",
                "depends_on": {"nodes": ["model.p.fct_b"]},
            },
            "model.p.fct_b": {
                "name": "fct_b",
                "resource_type": "model",
                "original_file_path": "models/marts/x/fct_b.sql",
                "depends_on": {"nodes": []},
            },
        },
    }
    with pytest.raises(AssertionError, match=r"fct_a \(marts\) reads fct_b \(marts\)"):
        test_every_model_reads_only_the_layers_below_it(manifest)


MAX_MODEL_LINES = 150  # the house style: a model longer than this hides steps that deserve names


def test_every_model_is_at_most_150_lines(manifest: dict) -> None:
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    long = sorted(
        f"{n['original_file_path']}: {len(n['raw_code'].splitlines())} lines"
        for n in models
        if len(n["raw_code"].splitlines()) > MAX_MODEL_LINES
    )
    assert not long, f"models over {MAX_MODEL_LINES} lines (split a step into an int_ model):\n" + "\n".join(
        long
    )


def test_every_model_has_a_data_or_unit_test(manifest: dict) -> None:
    """A model that stores rows has a data or unit test of its own. A view has no rows of its own:
    it may be tested through a stored model next to it (the table it shows, as `dim_deals` shows
    `int_deals_enriched`, or the table that stores it, as `dim_channels` stores `int_channels`)."""
    nodes = manifest["nodes"]
    models = {key: n for key, n in nodes.items() if n["resource_type"] == "model"}
    # a generic test belongs to the model it is declared on (not the `to` of a relationships test);
    # a singular test to every model it reads
    tested = {
        upstream
        for node in nodes.values()
        if node["resource_type"] == "test"
        for upstream in (
            [node["attached_node"]] if node.get("attached_node") else node["depends_on"]["nodes"]
        )
    }
    tested |= {f"model.{t['package_name']}.{t['model']}" for t in manifest.get("unit_tests", {}).values()}
    neighbours: dict[str, set[str]] = {key: set() for key in models}
    for key, node in models.items():
        for upstream in node["depends_on"]["nodes"]:
            if upstream in models:
                neighbours[key].add(upstream)
                neighbours[upstream].add(key)

    def stored_and_tested(key: str) -> bool:
        return key in tested and models[key]["config"]["materialized"] != "view"

    untested = sorted(
        node["original_file_path"]
        for key, node in models.items()
        if key not in tested
        and not (node["config"]["materialized"] == "view" and any(map(stored_and_tested, neighbours[key])))
    )
    assert not untested, "models without any test:\n" + "\n".join(untested)
