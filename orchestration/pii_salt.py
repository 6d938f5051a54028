"""Which PII salts a build may use: one rule for every entry point (CLI, Dagster job, schedule,
sensor), so none of them can publish hashes anyone could reverse.

An email hashed without a salt, or with a salt anyone knows, is reversed by hashing a list of
emails. So outside the demo the salt must be a secret of at least MIN_LENGTH characters. The demo
is an explicit opt-in, FUNNEL_DEMO=1 (set by `make run`), with FUNNEL_PII_SALT unset: only then is
the public development salt used. A salt that is set always wins, and must pass the rule.

How the salt reaches the engines without reaching disk: Settings.dbt_env and docs/architecture.md
("The PII salt").
"""

from __future__ import annotations

from collections.abc import Mapping

SALT_VARIABLE = "FUNNEL_PII_SALT"
DEMO_VARIABLE = "FUNNEL_DEMO"
# The name dbt runs with: dbt scrubs DBT_ENV_SECRET_* values from its logs and error messages and
# refuses them anywhere but profiles.yml, so no model can render the salt into SQL.
DBT_SECRET_VARIABLE = "DBT_ENV_SECRET_FUNNEL_PII_SALT"
# The same salt as hex of its UTF-8 bytes, for Spark, which substitutes it into SQL text (any salt
# then fits in a string literal, and Spark's redaction of values holding "secret" never applies).
DBT_SECRET_HEX_VARIABLE = "DBT_ENV_SECRET_FUNNEL_PII_SALT_HEX"
DEV_SALT = "funnel-dev-salt"  # public (it is in this repository): the demo's salt only
MIN_LENGTH = 16


class SaltRefused(ValueError):
    """The salt would make the published hashes reversible or engine-dependent; the message says
    what to do, in one line."""


def is_demo(env: Mapping[str, str]) -> bool:
    return env.get(DEMO_VARIABLE, "") == "1"


def effective_salt(salt: str | None, demo: bool) -> str | None:
    """The salt a build hashes with: the one set, else the development salt in the demo, else none."""
    if salt is None and demo:
        return DEV_SALT
    return salt


def refusal(salt: str | None, demo: bool) -> str | None:
    """Why a build must not run with this salt (one line), or None when it may."""
    if salt is None:
        if demo:
            return None
        return (
            f"{SALT_VARIABLE} is not set: set it to a secret of at least {MIN_LENGTH} characters "
            f"(or {DEMO_VARIABLE}=1 for the demo's public salt, as `make run` does)"
        )
    if salt == "":
        return f"{SALT_VARIABLE} is set but empty: emails would be hashed without a salt; set a secret of at least {MIN_LENGTH} characters"
    if salt == DEV_SALT:
        if demo:
            return None
        return f"{SALT_VARIABLE} is the public development salt, allowed only in the demo ({DEMO_VARIABLE}=1): set a secret"
    if len(salt) < MIN_LENGTH:
        return f"{SALT_VARIABLE} is {len(salt)} characters long: use a secret of at least {MIN_LENGTH}"
    return None


def check(salt: str | None, demo: bool) -> None:
    """Raise SaltRefused when a build must not run with this salt."""
    problem = refusal(salt, demo)
    if problem:
        raise SaltRefused(problem)
