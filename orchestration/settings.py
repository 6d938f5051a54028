"""One settings object: every path and knob comes from the environment, read when asked.

Nothing here reads ``os.environ`` at import time, so tests can point each run at its own
warehouse file by passing an ``env`` mapping.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration import pii_salt as salt_policy

PROJECT_DIR = Path(__file__).resolve().parent.parent
SALT_VARIABLES = (
    salt_policy.SALT_VARIABLE,
    salt_policy.DEMO_VARIABLE,
    salt_policy.DBT_SECRET_VARIABLE,
    salt_policy.DBT_SECRET_HEX_VARIABLE,
)


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name)
    return Path(value).expanduser().resolve() if value else default.resolve()


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    warehouse: Path  # the DuckDB file the pipeline writes (single writer)
    report_file: Path  # the self-contained HTML report written on every run
    published: Path  # the read-only copy BI tools open, replaced atomically after checks pass
    dagster_home: Path  # run history, repo-local and git-ignored
    landing_dir: Path  # where export files land
    raw_parquet_dir: Path  # raw tables exported for Spark
    spark_dir: Path  # Spark warehouse and metastore for the local session target
    dbt_target_dir: Path  # dbt's target folders, one per engine (DBT_TARGET_PATH overrides)
    dbt_target: str
    dbt_threads: int
    duckdb_memory_limit: str
    duckdb_threads: int
    storage_version: str  # DuckDB storage_compatibility_version of the published copy
    # FUNNEL_AS_OF: "now" of open spells for dbt (empty = the clock); pinned for reproducible marts
    as_of: str
    # FUNNEL_PII_SALT as set (None: unset). It travels to dbt with the other settings (a caller's
    # env mapping, not only os.environ), in the environment only: never in SQL or a file (see
    # orchestration/pii_salt.py). repr=False keeps it out of logs and tracebacks.
    pii_salt: str | None = field(default=None, repr=False)
    demo: bool = False  # FUNNEL_DEMO=1: an unset salt means the public development salt
    # FUNNEL_HASH_OWNER_NAMES=1: reps' names are hashed like customers' personal data. Off by default:
    # reps are the company's own staff, and managers must see who they are (macro owner_name).
    hash_owner_names: bool = False
    # Great Expectations (orchestration/quality): Data Docs folder, export age that warns, row-count band.
    data_docs: Path = PROJECT_DIR / "warehouse" / "data_docs"
    max_export_age_hours: float = 48.0
    row_count_band: float = 0.5  # a table may shrink or grow by this fraction of its last passing count
    quality_chunk_rows: int = 1_000_000  # rows validated at once: bounds the checks' memory
    # The loader skips (as not_settled) files modified less than this many seconds ago: they may still
    # be being written. 0 for interactive loads; set it (e.g. 60) when a sync tool writes the folder.
    settle_seconds: float = 0.0
    # Zip-bomb limits of a compressed export (.zip, .gz): uncompressed GB read from one archive, and
    # the compression ratio of a member (real CSV exports compress 5-30x, deflate bombs ~1000x).
    archive_max_gb: float = 64.0
    archive_max_ratio: float = 200.0
    lock_timeout_seconds: float = 600.0  # how long a writer waits for the warehouse's writer lock

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        project = _path(env, "FUNNEL_PROJECT_DIR", PROJECT_DIR)
        warehouse_dir = project / "warehouse"
        return cls(
            project_dir=project,
            warehouse=_path(env, "FUNNEL_WAREHOUSE", warehouse_dir / "funnel.duckdb"),
            report_file=_path(env, "FUNNEL_REPORT", warehouse_dir / "report.html"),
            published=_path(env, "FUNNEL_PUBLISHED", warehouse_dir / "published" / "funnel.duckdb"),
            dagster_home=_path(env, "DAGSTER_HOME", project / ".dagster"),
            landing_dir=_path(env, "FUNNEL_LANDING_DIR", project / "exports" / "demo"),
            raw_parquet_dir=_path(env, "FUNNEL_RAW_PARQUET", warehouse_dir / "raw_parquet"),
            spark_dir=_path(env, "FUNNEL_SPARK_DIR", warehouse_dir / "spark"),
            dbt_target_dir=_path(env, "FUNNEL_DBT_TARGET_DIR", project / "target"),
            dbt_target=env.get("FUNNEL_DBT_TARGET", "duckdb"),
            # One model per core: more threads only share the cores and DuckDB's memory limit (on 2
            # cores at 1M leads, 2 threads built in 154-156 s against 163-165 s for 4; README).
            dbt_threads=int(env.get("FUNNEL_DBT_THREADS", str(os.cpu_count() or 2))),
            # The whole process tree peaks about 0.3 GB above it (dbt, Python): under 3 GB at 1M leads.
            duckdb_memory_limit=env.get("FUNNEL_DUCKDB_MEMORY_LIMIT", "2.5GB"),
            duckdb_threads=int(env.get("FUNNEL_DUCKDB_THREADS", str(os.cpu_count() or 2))),
            storage_version=env.get("FUNNEL_DUCKDB_STORAGE_VERSION", "v1.1.0"),
            pii_salt=env.get(salt_policy.SALT_VARIABLE),
            demo=salt_policy.is_demo(env),
            hash_owner_names=_flag(env, "FUNNEL_HASH_OWNER_NAMES"),
            as_of=env.get("FUNNEL_AS_OF", ""),
            # Beside the warehouse file (warehouse/data_docs by default), so each warehouse has its own.
            data_docs=_path(
                env,
                "FUNNEL_DATA_DOCS",
                _path(env, "FUNNEL_WAREHOUSE", warehouse_dir / "funnel.duckdb").parent / "data_docs",
            ),
            max_export_age_hours=float(env.get("FUNNEL_MAX_EXPORT_AGE_HOURS", "48")),
            row_count_band=float(env.get("FUNNEL_ROW_COUNT_BAND", "0.5")),
            quality_chunk_rows=int(env.get("FUNNEL_QUALITY_CHUNK_ROWS", "1000000")),
            settle_seconds=float(env.get("FUNNEL_SETTLE_SECONDS", "0")),
            archive_max_gb=float(env.get("FUNNEL_ARCHIVE_MAX_GB", "64")),
            archive_max_ratio=float(env.get("FUNNEL_ARCHIVE_MAX_RATIO", "200")),
            lock_timeout_seconds=float(env.get("FUNNEL_LOCK_TIMEOUT_SECONDS", "600")),
        )

    @property
    def pii_salt_is_default(self) -> bool:
        """FUNNEL_PII_SALT unset: the demo hashes with the development salt, anything else refuses."""
        return self.pii_salt is None

    @property
    def effective_pii_salt(self) -> str | None:
        return salt_policy.effective_salt(self.pii_salt, self.demo)

    def pii_salt_refusal(self) -> str | None:
        """Why a build must not hash with this salt (one line), or None."""
        return salt_policy.refusal(self.pii_salt, self.demo)

    def check_pii_salt(self) -> None:
        """Raise pii_salt.SaltRefused before anything is hashed with a weak or public salt."""
        salt_policy.check(self.pii_salt, self.demo)

    def export_to_environment(self) -> None:
        """Make subprocesses started by libraries (dagster-dbt's dbt) see the same absolute paths."""
        for name, value in self.dbt_env().items():
            # DBT_TARGET_PATH too: dagster-dbt copies partial_parse.msgpack from there into each
            # invocation's own target folder, so runs keep partial parsing.
            if name.startswith(
                (
                    "FUNNEL_",
                    "DBT_PROFILES_DIR",
                    "DBT_PROJECT_DIR",
                    "DBT_TARGET_PATH",
                    "DBT_LOG_LEVEL_FILE",
                    salt_policy.DBT_SECRET_VARIABLE,
                )
            ):
                os.environ[name] = value
        # The Dagster steps read the salt from os.environ again: it must be this settings' salt,
        # not one left there by other settings.
        exported = self.dbt_env()
        for name in SALT_VARIABLES:
            if name not in exported:
                os.environ.pop(name, None)
        os.environ["FUNNEL_LANDING_DIR"] = str(self.landing_dir)
        os.environ["FUNNEL_REPORT"] = str(self.report_file)
        os.environ["FUNNEL_PUBLISHED"] = str(self.published)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        os.environ["FUNNEL_DATA_DOCS"] = str(self.data_docs)
        os.environ["FUNNEL_MAX_EXPORT_AGE_HOURS"] = str(self.max_export_age_hours)
        os.environ["FUNNEL_ROW_COUNT_BAND"] = str(self.row_count_band)
        os.environ["FUNNEL_QUALITY_CHUNK_ROWS"] = str(self.quality_chunk_rows)
        os.environ["FUNNEL_SETTLE_SECONDS"] = str(self.settle_seconds)
        os.environ["FUNNEL_ARCHIVE_MAX_GB"] = str(self.archive_max_gb)
        os.environ["FUNNEL_ARCHIVE_MAX_RATIO"] = str(self.archive_max_ratio)
        os.environ["FUNNEL_LOCK_TIMEOUT_SECONDS"] = str(self.lock_timeout_seconds)
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        instance_config = self.dagster_home / "dagster.yaml"
        if not instance_config.exists():
            instance_config.write_text((Path(__file__).parent / "dagster.yaml").read_text())

    def loader_options(self) -> dict[str, Any]:
        """The loader's keyword arguments that come from settings (load_folder(..., **options))."""
        from orchestration.loader.archives import ArchiveLimits

        return {
            "duckdb_config": self.duckdb_config(),
            "settle_seconds": self.settle_seconds,
            "archive_limits": ArchiveLimits(
                max_total_bytes=int(self.archive_max_gb * 2**30), max_ratio=self.archive_max_ratio
            ),
        }

    def duckdb_config(self) -> dict[str, str]:
        """Connection settings for the product's own DuckDB writers (the loader), like the dbt profile's."""
        return {"memory_limit": self.duckdb_memory_limit, "threads": str(self.duckdb_threads)}

    def dbt_env(self, target: str | None = None) -> dict[str, str]:
        """The environment a dbt subprocess needs: absolute paths, so cwd does not matter."""
        env = dict(os.environ)
        env.update(
            {
                "FUNNEL_WAREHOUSE": str(self.warehouse),
                "FUNNEL_DBT_TARGET": target or self.dbt_target,
                "FUNNEL_DBT_THREADS": str(self.dbt_threads),
                "FUNNEL_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
                "FUNNEL_DUCKDB_THREADS": str(self.duckdb_threads),
                "FUNNEL_RAW_PARQUET": str(self.raw_parquet_dir),
                "FUNNEL_SPARK_WAREHOUSE": str(self.spark_dir / "warehouse"),
                "FUNNEL_SPARK_METASTORE": str(self.spark_dir / "metastore"),
                "FUNNEL_DBT_TARGET_DIR": str(self.dbt_target_dir),
                "DBT_PROFILES_DIR": str(self.project_dir),
                "DBT_PROJECT_DIR": str(self.project_dir),
                # One target folder per engine, so switching targets keeps partial parsing
                # (unless the caller chose one: parallel builds must not share it).
                "DBT_TARGET_PATH": env.get("DBT_TARGET_PATH")
                or str(self.dbt_target_dir / (target or self.dbt_target)),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                # dbt.log at info, not dbt's default debug: writing every statement of ~700 nodes
                # cost about 0.9 s of a 27 s build at 100k leads (three alternating bench runs each,
                # 2026-12-05: 27.1 s at info, 28.0 s at debug). The statements stay in target/run/;
                # DBT_LOG_LEVEL_FILE=debug brings them back.
                "DBT_LOG_LEVEL_FILE": env.get("DBT_LOG_LEVEL_FILE") or "info",
            }
        )
        if self.as_of:
            env["FUNNEL_AS_OF"] = self.as_of  # read by the macro pinned_as_of_timestamp
        # Always set, from these settings: read by the macro hash_owner_names, so a value left in
        # os.environ by other settings must not decide whether names are hashed.
        env["FUNNEL_HASH_OWNER_NAMES"] = "1" if self.hash_owner_names else "0"
        # The salt reaches dbt only as an environment variable, read at connect time (DuckDB: the
        # plugin orchestration/dbt_duckdb_salt.py; Spark: profiles.yml's server_side_parameters,
        # in hex), never rendered into SQL, the manifest or any file. Unset, hashing fails loudly.
        for name in SALT_VARIABLES:
            env.pop(name, None)  # this settings' salt, not one left in os.environ by others
        salt = self.effective_pii_salt
        if salt is not None:
            env[salt_policy.DBT_SECRET_VARIABLE] = salt
            env[salt_policy.DBT_SECRET_HEX_VARIABLE] = salt.encode("utf-8").hex()
        if self.pii_salt is not None:
            env[salt_policy.SALT_VARIABLE] = self.pii_salt
        if self.demo:
            env[salt_policy.DEMO_VARIABLE] = "1"
        return env
