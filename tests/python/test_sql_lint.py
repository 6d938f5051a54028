"""The SQL lint (`make lint`: scripts/sqlfluff.sh with .sqlfluff) is real: it fails a model written
against the house style, passes one written in it, fails a model dbt cannot compile instead of
skipping it, and the pre-commit hooks run the same tools offline.

The lint runs on a copy of the dbt project reduced to its macros and two or three models, so dbt's
parse takes seconds; `make lint` itself runs the same script over the whole project."""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from orchestration.settings import PROJECT_DIR

# Against the house style on purpose: uppercase keywords and identifiers, 2-space indents, leading
# commas, a column alias without `as`.
BAD_MODEL = """SELECT
  ID
  , Label LABEL_UPPER
FROM {{ ref('good_style') }}
"""

# In the house style: import and logical CTEs, lowercase, trailing commas, 4-space indents, `as`.
GOOD_MODEL = """with

numbers as (

    select
        1 as id,
        'a' as item_name

),

final as (

    select
        id,
        item_name
    from numbers

)

select
    id,
    item_name
from final
"""


def lint_project(tmp_path: Path, models: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """scripts/sqlfluff.sh lint over a copy of the project holding only `models` (name: SQL)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml", ".sqlfluff", ".sqlfluffignore"):
        shutil.copy(PROJECT_DIR / name, project / name)
    shutil.copytree(PROJECT_DIR / "macros", project / "macros")
    shutil.copytree(PROJECT_DIR / "scripts", project / "scripts")
    (project / "models").mkdir()
    for name, sql in models.items():
        (project / "models" / f"{name}.sql").write_text(sql)
    return subprocess.run(
        ["bash", "scripts/sqlfluff.sh", "lint", "--format", "json", "models"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FUNNEL_BIN": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def codes_by_file(result: subprocess.CompletedProcess[str]) -> dict[str, set[str]]:
    """{model file name: rule codes} for every file sqlfluff linted, from its JSON report."""
    report = json.loads(result.stdout)
    return {Path(f["filepath"]).name: {v["code"] for v in f["violations"]} for f in report}


def test_sqlfluff_fails_a_model_against_the_house_style_and_passes_one_in_it(tmp_path: Path) -> None:
    result = lint_project(tmp_path, {"bad_style": BAD_MODEL, "good_style": GOOD_MODEL})
    assert result.returncode == 1, result.stdout + result.stderr
    codes = codes_by_file(result)
    assert codes["good_style.sql"] == set(), result.stdout
    # uppercase keywords and identifiers, indent, leading comma, alias without `as`
    assert {"CP01", "CP02", "LT02", "LT04", "AL02"} <= codes["bad_style.sql"], result.stdout


def test_sqlfluff_fails_a_model_dbt_cannot_compile(tmp_path: Path) -> None:
    """dbt's templater skips a model it cannot compile unless told not to (.sqlfluff): a broken
    model must fail the lint, not vanish from it."""
    # parses (execute is false while dbt parses), fails when compiled
    broken = "{% if execute %}{{ exceptions.raise_compiler_error('broken on purpose') }}{% endif %}\nselect 1 as id\n"
    result = lint_project(tmp_path, {"good_style": GOOD_MODEL, "broken": broken})
    assert result.returncode == 1, result.stdout + result.stderr
    assert codes_by_file(result) == {"broken.sql": {"TMP"}, "good_style.sql": set()}, result.stdout
    assert "broken on purpose" in result.stdout


def test_every_excluded_rule_says_why() -> None:
    """Each rule in exclude_rules is named in a comment above it with its reason."""
    text = (PROJECT_DIR / ".sqlfluff").read_text()
    config = configparser.ConfigParser()
    config.read_string(text)
    excluded = [rule.strip() for rule in config["sqlfluff"]["exclude_rules"].split(",")]
    assert excluded, "no rule excluded: then drop this test"
    explained = set(re.findall(r"^# - (\w+) \(", text, re.M))
    assert sorted(set(excluded) - explained) == [], "excluded rules without a reason in .sqlfluff"
    assert config["sqlfluff"]["templater"] == "dbt" and config["sqlfluff"]["dialect"] == "duckdb"


def test_pre_commit_hooks_are_local_and_valid() -> None:
    """The hooks run the .venv's tools (no repository to clone: offline), pre-commit accepts the
    file, and the SQL hook takes every model, analysis and singular test but the generic ones."""
    path = PROJECT_DIR / ".pre-commit-config.yaml"
    config = yaml.safe_load(path.read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    assert {"ruff", "ruff-format", "sqlfluff-lint"} <= set(hooks)
    for hook in hooks.values():
        assert hook["language"] == "system"
        assert (PROJECT_DIR / hook["entry"].split()[0]).exists(), hook["entry"]
    sql = hooks["sqlfluff-lint"]
    assert re.search(sql["files"], "models/marts/core/dim_deals.sql")
    assert re.search(sql["files"], "tests/dbt/assert_marts_funnel_never_widens.sql")
    assert not re.search(sql["files"], "macros/staging/hash_pii.sql")
    assert re.search(sql["exclude"], "tests/dbt/generic/not_null_columns.sql")
    pre_commit = Path(sys.executable).parent / "pre-commit"
    result = subprocess.run([str(pre_commit), "validate-config", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
