"""The refresh job's first steps refuse a weak PII salt, whatever launched the run (UI, schedule,
sensor, `funnel run`): before anything is loaded or hashed, with one line saying what to set."""

from dagster import Failure

from orchestration.settings import Settings


def refuse_weak_salt(settings: Settings) -> None:
    problem = settings.pii_salt_refusal()
    if problem:
        raise Failure(description=f"refused before loading or hashing anything: {problem}")
